import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AEAD_AES_256_GCM as WeChat Pay uses it for notification resources and platform certificates:
 * key, nonce and associated_data are UTF-8 strings; the ciphertext is base64(ct ‖ 16-byte tag).
 * The AES size follows the key length, because published test keys (testMchAPIv3Key0) are 16 bytes.
 */

export const TAG_BYTES = 16;

export class AeadError extends Error {}

function cipherFor(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  switch (key.length) {
    case 16:
      return 'aes-128-gcm';
    case 24:
      return 'aes-192-gcm';
    case 32:
      return 'aes-256-gcm';
    default:
      throw new AeadError(`an AES-GCM key is 16, 24 or 32 bytes, not ${key.length}`);
  }
}

const bytes = (v: string | Buffer) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

export function aesGcmEncrypt(
  plaintext: string | Buffer,
  key: string | Buffer,
  nonce: string | Buffer,
  aad: string | Buffer = '',
): string {
  const k = bytes(key);
  const cipher = createCipheriv(cipherFor(k), k, bytes(nonce), { authTagLength: TAG_BYTES });
  cipher.setAAD(bytes(aad));
  return Buffer.concat([cipher.update(bytes(plaintext)), cipher.final(), cipher.getAuthTag()]).toString(
    'base64',
  );
}

/** Decrypts to raw bytes; throws AeadError when the tag does not authenticate. */
export function aesGcmDecryptBytes(
  ciphertextB64: string,
  key: string | Buffer,
  nonce: string | Buffer,
  aad: string | Buffer = '',
): Buffer {
  const k = bytes(key);
  const all = Buffer.from(ciphertextB64, 'base64');
  if (all.length < TAG_BYTES) throw new AeadError('ciphertext shorter than the GCM tag');
  try {
    const decipher = createDecipheriv(cipherFor(k), k, bytes(nonce), { authTagLength: TAG_BYTES });
    decipher.setAAD(bytes(aad));
    decipher.setAuthTag(all.subarray(all.length - TAG_BYTES));
    return Buffer.concat([decipher.update(all.subarray(0, all.length - TAG_BYTES)), decipher.final()]);
  } catch (error) {
    if (error instanceof AeadError) throw error;
    throw new AeadError(`AES-GCM authentication failed: ${(error as Error).message}`);
  }
}

export function aesGcmDecrypt(
  ciphertextB64: string,
  key: string | Buffer,
  nonce: string | Buffer,
  aad: string | Buffer = '',
): string {
  return aesGcmDecryptBytes(ciphertextB64, key, nonce, aad).toString('utf8');
}

/** The `resource` object of a notification (or `encrypt_certificate` of /v3/certificates). */
export interface EncryptedResource {
  original_type?: string;
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
}

export function encryptResource(
  plaintext: string,
  apiV3Key: string,
  originalType: string,
  associatedData = originalType,
): EncryptedResource {
  const nonce = randomBytes(9).toString('base64url').slice(0, 12); // 12 printable chars, like WeChat's
  return {
    original_type: originalType,
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: aesGcmEncrypt(plaintext, apiV3Key, nonce, associatedData),
    associated_data: associatedData,
    nonce,
  };
}

export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM')
    throw new AeadError(`unsupported algorithm ${resource.algorithm}`);
  return aesGcmDecrypt(resource.ciphertext, apiV3Key, resource.nonce, resource.associated_data ?? '');
}
