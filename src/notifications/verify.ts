import { hmacBase64, messageCanonical, signaturesEqual } from '../core/signature.js';

/**
 * Webhook signing (JuhePay side) and verification (merchant side), pure and dependency-free beyond
 * node:crypto, so the merchant SDK can reuse this file as is.
 *
 * Juhe-Signature = base64(HMAC-SHA256(app_secret, TIMESTAMP + "\n" + NONCE + "\n" + BODY + "\n"))
 * where BODY is the exact request body bytes (verify before parsing the JSON).
 */

export const WEBHOOK_TOLERANCE_SECONDS = 300;

export type WebhookSignatureHeaders = {
  'juhe-timestamp': string;
  'juhe-nonce': string;
  'juhe-signature': string;
};

export function signWebhook(
  secret: string,
  body: string,
  nowSeconds: number,
  nonce: string,
): WebhookSignatureHeaders {
  const timestamp = String(Math.floor(nowSeconds));
  return {
    'juhe-timestamp': timestamp,
    'juhe-nonce': nonce,
    'juhe-signature': hmacBase64(secret, messageCanonical(timestamp, nonce, body)),
  };
}

export type VerifyResult =
  | { ok: true; timestamp: number; nonce: string }
  | {
      ok: false;
      reason: 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'signature_mismatch';
      message: string;
    };

export interface VerifyOptions {
  /** how far the timestamp may be from now; default 300 s. Use 0 or Infinity deliberately. */
  toleranceSeconds?: number;
  /** the receiver's clock in unix seconds; default Date.now() */
  nowSeconds?: number;
}

/** Headers as Node, Fetch or a plain object gives them (names are matched case-insensitively). */
export type HeaderSource =
  { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name) {
      const value = record[key];
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

/**
 * Checks a webhook the merchant received: the signature over the raw body and the timestamp's
 * distance from now. Remember event ids (or nonces) you processed to drop repeats, and use
 * `sequence` to ignore an event older than one you already applied for the same object.
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  rawBody: string | Uint8Array,
  options: VerifyOptions = {},
): VerifyResult {
  const timestamp = header(headers, 'juhe-timestamp');
  const nonce = header(headers, 'juhe-nonce');
  const signature = header(headers, 'juhe-signature');
  if (!timestamp || !nonce || !signature) {
    return {
      ok: false,
      reason: 'missing_header',
      message: 'Juhe-Timestamp, Juhe-Nonce and Juhe-Signature are required',
    };
  }
  if (!/^\d{1,12}$/.test(timestamp) || !/^[\x21-\x7e]{1,128}$/.test(nonce)) {
    return { ok: false, reason: 'malformed_header', message: 'Juhe-Timestamp or Juhe-Nonce is malformed' };
  }
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    return {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      message: `Juhe-Timestamp is more than ${tolerance} s from now`,
    };
  }
  const body = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  const expected = hmacBase64(secret, messageCanonical(timestamp, nonce, body));
  if (!signaturesEqual(expected, signature)) {
    return { ok: false, reason: 'signature_mismatch', message: 'Juhe-Signature does not match the body' };
  }
  return { ok: true, timestamp: Number(timestamp), nonce };
}
