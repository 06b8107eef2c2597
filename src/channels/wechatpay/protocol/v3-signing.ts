import {
  createPublicKey,
  createSign,
  createVerify,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import type { Clock } from '../../../core/clock.js';

/**
 * WeChat Pay APIv3 signatures (WECHATPAY2-SHA256-RSA2048): RSASSA-PKCS1-v1_5 / SHA-256 over
 * newline-terminated lines. Requests are signed by the merchant key; responses and notifications
 * by the platform key, chosen by the Wechatpay-Serial header.
 */

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
/** axios-plugin MAXIMUM_CLOCK_OFFSET, and what the official SDKs reject beyond */
export const MAX_CLOCK_SKEW_S = 300;
/** the prefix of WeChat's signature-probe traffic: a merchant must refuse these */
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

/** every line ends with \n, including the last (an empty body still gives `…nonce\n\n`) */
export function lines(...parts: ReadonlyArray<string | number>): string {
  return parts.map((p) => `${p}\n`).join('');
}

export function requestMessage(
  method: string,
  pathAndQuery: string,
  timestamp: string | number,
  nonce: string,
  body: string,
): string {
  return lines(method.toUpperCase(), pathAndQuery, timestamp, nonce, body);
}

export function responseMessage(timestamp: string | number, nonce: string, body: string): string {
  return lines(timestamp, nonce, body);
}

export function rsaSign(message: string, privateKey: KeyObject | string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** false (never a throw) for anything that is not a valid base64 signature of the message */
export function rsaVerify(message: string, signature: string, publicKey: KeyObject | string): boolean {
  if (signature === '' || !BASE64.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/** 32 characters of [0-9A-Za-z], the shape the official SDKs send */
export function nonceStr(size = 32): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(size), (b) => alphabet[b % 62]).join('');
}

export interface AuthorizationFields {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

const AUTH_KEYS: ReadonlyArray<keyof AuthorizationFields> = [
  'mchid',
  'nonce_str',
  'timestamp',
  'serial_no',
  'signature',
];

export function formatAuthorization(f: AuthorizationFields): string {
  return `${AUTH_SCHEME} mchid="${f.mchid}",nonce_str="${f.nonce_str}",timestamp="${f.timestamp}",serial_no="${f.serial_no}",signature="${f.signature}"`;
}

/** Parses the five key="value" fields in any order; undefined if the scheme or a field is missing. */
export function parseAuthorization(header: string | undefined): AuthorizationFields | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEME) return undefined;
  const fields: Partial<Record<string, string>> = {};
  for (const m of header.slice(space + 1).matchAll(/\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/g))
    fields[m[1]!] = m[2]!;
  if (!AUTH_KEYS.every((k) => typeof fields[k] === 'string' && fields[k] !== '')) return undefined;
  return fields as unknown as AuthorizationFields;
}

export interface SignRequestInput {
  method: string;
  pathAndQuery: string;
  body: string;
  mchid: string;
  serialNo: string;
  privateKey: KeyObject | string;
  timestamp: number;
  nonce?: string;
}

/** The Authorization header value for one request. */
export function signRequest(input: SignRequestInput): string {
  const nonce = input.nonce ?? nonceStr();
  const signature = rsaSign(
    requestMessage(input.method, input.pathAndQuery, input.timestamp, nonce, input.body),
    input.privateKey,
  );
  return formatAuthorization({
    mchid: input.mchid,
    nonce_str: nonce,
    timestamp: String(input.timestamp),
    serial_no: input.serialNo,
    signature,
  });
}

/** serial → public key; the serial is a platform certificate serial (hex) or a PUB_KEY_ID_… */
export type Keyring = ReadonlyMap<string, KeyObject>;

/** Builds a keyring from PEMs: an X.509 certificate (platform-certificate mode) or an SPKI/PKCS#1 public key. */
export function keyringFrom(entries: Record<string, string>): Keyring {
  const ring = new Map<string, KeyObject>();
  for (const [serial, pem] of Object.entries(entries)) {
    ring.set(serial, pem.includes('CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem));
  }
  return ring;
}

/** a certificate's serial as WeChat writes it in Wechatpay-Serial: upper-case hex */
export function certificateSerial(pem: string): string {
  return new X509Certificate(pem).serialNumber.toUpperCase();
}

export interface SignedHeaders {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  serial: string | undefined;
}

export type VerifyFailure =
  'MISSING_HEADERS' | 'SIGNATURE_PROBE' | 'CLOCK_SKEW' | 'UNKNOWN_SERIAL' | 'BAD_SIGNATURE';
export type VerifyResult =
  { ok: true; serial: string } | { ok: false; reason: VerifyFailure; message: string };

/** Reads Wechatpay-* headers from a Node/fetch-style header bag (case-insensitive). */
export function signedHeadersFrom(
  headers: Record<string, string | string[] | undefined> | Headers,
): SignedHeaders {
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
    const v = key === undefined ? undefined : headers[key];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    timestamp: get('Wechatpay-Timestamp'),
    nonce: get('Wechatpay-Nonce'),
    signature: get('Wechatpay-Signature'),
    serial: get('Wechatpay-Serial'),
  };
}

/**
 * Verifies a response or notification over `ts\nnonce\nRAW_BODY\n`. Never throws: probes, skew,
 * unknown serials and garbage signatures come back as typed failures. `clock` undefined = no skew check
 * (published vectors carry old timestamps).
 */
export function verifySigned(
  h: SignedHeaders,
  rawBody: string,
  keyring: Keyring,
  clock: Clock | undefined,
): VerifyResult {
  const { timestamp, nonce, signature, serial } = h;
  if (!timestamp || !nonce || !signature || !serial) {
    return {
      ok: false,
      reason: 'MISSING_HEADERS',
      message: 'Wechatpay-Timestamp, -Nonce, -Signature and -Serial are required',
    };
  }
  if (signature.startsWith(SIGNTEST_PREFIX))
    return { ok: false, reason: 'SIGNATURE_PROBE', message: 'signature probe refused' };
  if (clock) {
    const ts = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Math.floor(clock.nowMs() / 1000) - ts) > MAX_CLOCK_SKEW_S) {
      return {
        ok: false,
        reason: 'CLOCK_SKEW',
        message: `timestamp ${timestamp} is more than ${MAX_CLOCK_SKEW_S} s from now`,
      };
    }
  }
  const key = keyring.get(serial);
  if (!key) return { ok: false, reason: 'UNKNOWN_SERIAL', message: `no platform key for serial ${serial}` };
  if (!rsaVerify(responseMessage(timestamp, nonce, rawBody), signature, key)) {
    return { ok: false, reason: 'BAD_SIGNATURE', message: 'signature does not verify' };
  }
  return { ok: true, serial };
}

/** The headers WeChat Pay puts on a signed response or notification. */
export function signResponseHeaders(
  body: string,
  serial: string,
  privateKey: KeyObject | string,
  timestamp: number,
  nonce = nonceStr(),
) {
  return {
    'Wechatpay-Timestamp': String(timestamp),
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': rsaSign(responseMessage(timestamp, nonce, body), privateKey),
    'Wechatpay-Serial': serial,
    'Wechatpay-Signature-Type': AUTH_SCHEME,
  };
}
