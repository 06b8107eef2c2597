import { rsa2Sign, rsaVerify } from './sign.js';
import type { KeyInput } from './keys.js';

/**
 * Synchronous gateway responses: `{"<method_underscored>_response":{…},"sign":"…"}` (or
 * `error_response`). The signature covers the exact raw text of the `…_response` value, so the
 * client cuts it out of the body text; re-serialising would lose escapes such as `\/`.
 */

export function responseKey(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}

const WS = new Set([' ', '\t', '\n', '\r']);

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text[i]!)) i++;
  return i;
}

/** index just past the JSON string starting at text[i] === '"', or -1 */
function endOfString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  return -1;
}

/** index just past the JSON value starting at i (objects/arrays balanced, strings respected), or -1 */
function endOfValue(text: string, i: number): number {
  if (text[i] === '"') return endOfString(text, i);
  if (text[i] !== '{' && text[i] !== '[') {
    let j = i;
    while (j < text.length && !WS.has(text[j]!) && text[j] !== ',' && text[j] !== '}' && text[j] !== ']') j++;
    return j > i ? j : -1;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') {
      j = endOfString(text, j) - 1;
      if (j < 0) return -1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/** The raw text of the top-level member `key` of a JSON object body, or undefined. */
export function extractMember(raw: string, key: string): string | undefined {
  let i = skipWs(raw, 0);
  if (raw[i] !== '{') return undefined;
  i = skipWs(raw, i + 1);
  while (i < raw.length && raw[i] === '"') {
    const keyEnd = endOfString(raw, i);
    if (keyEnd < 0) return undefined;
    const name = raw.slice(i + 1, keyEnd - 1);
    i = skipWs(raw, keyEnd);
    if (raw[i] !== ':') return undefined;
    i = skipWs(raw, i + 1);
    const valueEnd = endOfValue(raw, i);
    if (valueEnd < 0) return undefined;
    if (name === key) return raw.slice(i, valueEnd);
    i = skipWs(raw, valueEnd);
    if (raw[i] !== ',') return undefined;
    i = skipWs(raw, i + 1);
  }
  return undefined;
}

/** The signed text of a response: the `<method>_response` object, else `error_response`. */
export function responseSignStr(raw: string, method: string): { key: string; signStr: string } | undefined {
  for (const key of [responseKey(method), 'error_response']) {
    const signStr = extractMember(raw, key);
    if (signStr !== undefined && signStr.startsWith('{')) return { key, signStr };
  }
  return undefined;
}

export type VerifiedResponse =
  | { ok: true; key: string; data: Record<string, unknown> }
  | { ok: false; reason: 'malformed' | 'no_response_member' | 'bad_signature' };

/** Verifies a gateway response body against the Alipay public key and returns the inner object. */
export function verifyResponse(raw: string, method: string, alipayPublicKey: KeyInput): VerifiedResponse {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const found = responseSignStr(raw, method);
  if (!found) return { ok: false, reason: 'no_response_member' };
  const sign = (body as Record<string, unknown>).sign;
  if (typeof sign !== 'string' || !rsaVerify(found.signStr, sign, alipayPublicKey, 'RSA2')) {
    return { ok: false, reason: 'bad_signature' };
  }
  return { ok: true, key: found.key, data: JSON.parse(found.signStr) as Record<string, unknown> };
}

/** gateway-level refusals (the request was never run): missing or invalid common arguments, permissions, authorisation */
const GATEWAY_REFUSAL_CODES = new Set(['20001', '40001', '40002', '40006']);

/**
 * Alipay answers some refusals unsigned: where the gateway cannot or does not sign (an unknown
 * app_id has no key pair to sign with; a missing or unknown method has no response member), it
 * sends a bare `{"error_response":{code,msg,sub_code,sub_msg}}`. alipay-sdk says the same: it only
 * means to verify "正常的结果（不包含 sub_code）". Such an answer is definite (the request was not
 * run), so it is accepted without a signature, but only in that shape: an `error_response` with a
 * gateway-level code and a sub_code, and no `sign` at all. Anything else unsigned is untrusted.
 */
export function unsignedGatewayRefusal(raw: string): Record<string, unknown> | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const top = body as Record<string, unknown>;
  if ('sign' in top) return undefined;
  const inner = top.error_response;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return undefined;
  const { code, sub_code } = inner as Record<string, unknown>;
  if (typeof code !== 'string' || !GATEWAY_REFUSAL_CODES.has(code)) return undefined;
  if (typeof sub_code !== 'string' || sub_code === '') return undefined;
  return inner as Record<string, unknown>;
}

/** The simulator's side of an unsigned refusal: `error_response` only, no `sign`. */
export function buildUnsignedRefusal(inner: Record<string, unknown>): string {
  return JSON.stringify({ error_response: inner }).replaceAll('/', '\\/');
}

/**
 * What the gateway sends back: the inner object serialised once, those bytes signed and embedded
 * verbatim. Like Alipay, `/` is escaped as `\/` (still valid JSON, and proves clients verify raw text).
 */
export function buildSignedResponse(
  key: string,
  inner: Record<string, unknown>,
  alipayPrivateKey: KeyInput,
): string {
  const text = JSON.stringify(inner).replaceAll('/', '\\/');
  return `{"${key}":${text},"sign":"${rsa2Sign(text, alipayPrivateKey)}"}`;
}
