import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Encrypts stored secrets (app secrets, channel private keys, the admin token) with the master
 * key: AES-256-GCM, a fresh 12-byte IV each time, text form `v1.<iv>.<tag>.<ciphertext>` (base64url).
 * The associated data binds a ciphertext to its purpose, so one can't be swapped for another.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKeyHex: string) {
    if (!/^[0-9a-fA-F]{64}$/.test(masterKeyHex)) throw new Error('master key must be 64 hex characters');
    this.key = Buffer.from(masterKeyHex, 'hex');
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string, purpose: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new Error('not a sealed secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** A value that identifies the key without revealing it: detects a wrong JUHEPAY_MASTER_KEY. */
  fingerprint(): string {
    return createHmac('sha256', this.key).update('juhepay master key check').digest('hex').slice(0, 32);
  }
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('hex');
}
