import { randomBytes } from 'node:crypto';
import { hmacBase64, messageCanonical, signRequest } from '../../src/core/signature.js';

export interface Credentials {
  app_id: string;
  app_secret: string;
}

export function nonce(): string {
  return randomBytes(12).toString('hex');
}

/** Headers for a signed merchant request, as a merchant's code would build them. */
export function signedHeaders(
  credentials: Credentials,
  method: string,
  pathAndQuery: string,
  body: string,
  nowSeconds: number,
  overrides: { nonce?: string; timestamp?: number } = {},
): Record<string, string> {
  const authorization = signRequest(credentials, {
    method,
    pathAndQuery,
    body,
    timestamp: overrides.timestamp ?? nowSeconds,
    nonce: overrides.nonce ?? nonce(),
  });
  return { authorization, ...(body ? { 'content-type': 'application/json' } : {}) };
}

/** True when a response's Juhe-* headers carry a valid signature of its body. */
export function responseSignatureValid(
  secret: string,
  headers: Record<string, unknown>,
  body: string,
): boolean {
  const timestamp = String(headers['juhe-timestamp'] ?? '');
  const nonceValue = String(headers['juhe-nonce'] ?? '');
  const signature = String(headers['juhe-signature'] ?? '');
  if (!timestamp || !nonceValue || !signature) return false;
  return hmacBase64(secret, messageCanonical(timestamp, nonceValue, body)) === signature;
}
