import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The JUHE-HMAC-SHA256 scheme (CONTRACT §2), pure: canonical strings, signing, header parsing.
 * Requests sign METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n; responses and webhooks sign
 * TIMESTAMP\nNONCE\nBODY\n. BODY is the exact bytes on the wire.
 */

export const AUTH_SCHEME = 'JUHE-HMAC-SHA256';
export const TIMESTAMP_WINDOW_S = 300;
export const NONCE_TTL_S = 15 * 60;

export function requestCanonical(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
) {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

export function messageCanonical(timestamp: string, nonce: string, body: string) {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

export function hmacBase64(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message, 'utf8').digest('base64');
}

/** Constant-time comparison of two base64 signatures. */
export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface AuthorizationParts {
  app_id: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

export type ParseResult = { ok: true; parts: AuthorizationParts } | { ok: false; problem: string };

const FIELD = /\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/y;

/** Parses `JUHE-HMAC-SHA256 app_id="…",timestamp="…",nonce="…",signature="…"` (fields in any order). */
export function parseAuthorization(header: string | undefined): ParseResult {
  if (!header) return { ok: false, problem: 'the Authorization header is missing' };
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEME) {
    return { ok: false, problem: `the Authorization scheme must be ${AUTH_SCHEME}` };
  }
  const rest = header.slice(space + 1);
  const fields = new Map<string, string>();
  FIELD.lastIndex = 0;
  while (FIELD.lastIndex < rest.length) {
    const start = FIELD.lastIndex;
    const m = FIELD.exec(rest);
    if (!m || FIELD.lastIndex === start)
      return { ok: false, problem: 'the Authorization fields are malformed' };
    const [, key = '', value = ''] = m;
    if (fields.has(key)) return { ok: false, problem: `the Authorization field ${key} appears twice` };
    fields.set(key, value);
  }
  for (const key of ['app_id', 'timestamp', 'nonce', 'signature']) {
    if (!fields.get(key)) return { ok: false, problem: `the Authorization field ${key} is missing` };
  }
  const parts = Object.fromEntries(fields) as unknown as AuthorizationParts;
  if (!/^\d{1,12}$/.test(parts.timestamp)) return { ok: false, problem: 'timestamp must be unix seconds' };
  if (!/^[\x21-\x7e]{16,64}$/.test(parts.nonce)) {
    return { ok: false, problem: 'nonce must be 16-64 printable ASCII characters' };
  }
  // app_id is looked up in the database: a control character (NUL) must never get that far
  if (!/^[\x21-\x7e]{1,64}$/.test(parts.app_id)) {
    return { ok: false, problem: 'app_id must be 1-64 printable ASCII characters' };
  }
  return { ok: true, parts };
}

export function buildAuthorization(parts: AuthorizationParts): string {
  return `${AUTH_SCHEME} app_id="${parts.app_id}",timestamp="${parts.timestamp}",nonce="${parts.nonce}",signature="${parts.signature}"`;
}

/** Signs a request as a merchant would; used by the SDK, tests, benchmarks and the demo. */
export function signRequest(
  credentials: { app_id: string; app_secret: string },
  request: { method: string; pathAndQuery: string; body: string; timestamp: number; nonce: string },
): string {
  const timestamp = String(request.timestamp);
  const message = requestCanonical(
    request.method,
    request.pathAndQuery,
    timestamp,
    request.nonce,
    request.body,
  );
  return buildAuthorization({
    app_id: credentials.app_id,
    timestamp,
    nonce: request.nonce,
    signature: hmacBase64(credentials.app_secret, message),
  });
}
