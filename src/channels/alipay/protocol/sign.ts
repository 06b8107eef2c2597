import { createSign, createVerify } from 'node:crypto';
import { alipayPrivateKey, alipayPublicKey, type KeyInput } from './keys.js';

/**
 * OpenAPI v2 signatures. The signed content is every parameter except the excluded keys and
 * empty values, sorted by key (ASCII), joined `k=v&…` with raw (not URL-encoded) values.
 * RSA2 = RSASSA-PKCS1-v1_5 SHA-256; legacy RSA = SHA-1, accepted for verification only.
 */

export type SignType = 'RSA2' | 'RSA';

const ALGORITHM: Record<SignType, string> = { RSA2: 'RSA-SHA256', RSA: 'RSA-SHA1' };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type Params = Readonly<Record<string, string | undefined>>;

export function signContent(params: Params, excludeKeys: readonly string[] = ['sign']): string {
  return Object.keys(params)
    .filter((k) => !excludeKeys.includes(k) && params[k] !== undefined && params[k] !== '')
    .sort() // ASCII order: keys are plain ASCII, where UTF-16 order equals byte order
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** RSA2 only: Alipay refuses new RSA (SHA-1) signers, so we never produce one. */
export function rsa2Sign(content: string, privateKey: KeyInput): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(alipayPrivateKey(privateKey), 'base64');
}

/** false (never a throw) for a malformed signature, a wrong key or an unknown sign_type */
export function rsaVerify(
  content: string,
  signature: string,
  publicKey: KeyInput,
  signType: string = 'RSA2',
): boolean {
  const algorithm = ALGORITHM[signType as SignType];
  if (!algorithm || signature === '' || !BASE64.test(signature)) return false;
  try {
    return createVerify(algorithm)
      .update(content, 'utf8')
      .verify(alipayPublicKey(publicKey), signature, 'base64');
  } catch {
    return false;
  }
}

/** Adds `sign` to a request: sign_type is part of the signed content on the request side. */
export function signRequest(params: Params, privateKey: KeyInput): Record<string, string> {
  const clean = withoutEmpty(params);
  return { ...clean, sign: rsa2Sign(signContent(clean), privateKey) };
}

/** The gateway's check of an incoming request; also returns the content it verified (Alipay quotes it in the error). */
export function verifyRequest(params: Params, publicKey: KeyInput): { ok: boolean; content: string } {
  const content = signContent(params, ['sign']);
  return { ok: rsaVerify(content, params.sign ?? '', publicKey, params.sign_type ?? 'RSA'), content };
}

export function withoutEmpty(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
