import { createHash, createSign, createVerify, X509Certificate, type KeyLike } from 'node:crypto';
import type { AcpFields } from './form.js';

/**
 * ACP 5.1.0 signMethod=01: RSA-SHA256 over the lower-case hex SHA-256 of the sorted `k=v&…`
 * string. The hex digest STRING is what gets signed (a double hash); `signature` is left out,
 * and `signPubKeyCert` (UnionPay's messages) is signed like any other field, CRLFs and all.
 */

/** Sorted by UTF-8 bytes (= ASCII for ACP keys), `k=v` joined with `&`, no encoding. */
export function acpSignContent(fields: AcpFields, options: { skipEmpty?: boolean } = {}): string {
  const skipEmpty = options.skipEmpty ?? true;
  return Object.keys(fields)
    .filter((key) => key !== 'signature' && (!skipEmpty || fields[key] !== ''))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** base64 RSA-SHA256 signature over the hex digest of `content`. */
export function signAcpContent(content: string, privateKeyPem: KeyLike): string {
  return createSign('RSA-SHA256').update(sha256Hex(content), 'utf8').sign(privateKeyPem, 'base64');
}

/**
 * Signs a message: empty fields are dropped from the message itself (so the signed content and
 * what is sent are the same set), then `signature` is added.
 */
export function signAcpMessage(fields: AcpFields, privateKeyPem: KeyLike): AcpFields {
  const sent: AcpFields = {};
  for (const [key, value] of Object.entries(fields))
    if (value !== '' && key !== 'signature') sent[key] = value;
  return { ...sent, signature: signAcpContent(acpSignContent(sent), privateKeyPem) };
}

/** Verifies `signature` over every received field but `signature` (empties included, as received). */
export function verifyAcpSignature(fields: AcpFields, publicKey: KeyLike | X509Certificate): boolean {
  const signature = fields.signature;
  if (!signature) return false;
  const key = publicKey instanceof X509Certificate ? publicKey.publicKey : publicKey;
  try {
    const digest = sha256Hex(acpSignContent(fields, { skipEmpty: false }));
    return createVerify('RSA-SHA256').update(digest, 'utf8').verify(key, signature, 'base64');
  } catch {
    return false; // a key or signature that cannot even be read is a failed verification
  }
}

/** certId = the signing certificate's serial number in decimal. */
export function certIdOf(certPem: string | X509Certificate): string {
  const cert = typeof certPem === 'string' ? new X509Certificate(certPem) : certPem;
  return BigInt(`0x${cert.serialNumber}`).toString(10);
}
