import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

/**
 * APIv2 (付款码 micropay, orderquery, reverse): flat XML bodies `<xml><k><![CDATA[v]]></k>…</xml>`
 * signed with the APIv2 key, MD5 by default or HMAC-SHA256 when sign_type says so.
 */

export type V2Params = Record<string, string>;
export type V2SignType = 'MD5' | 'HMAC-SHA256';

/** sorted non-empty params except `sign`, joined k=v&…, then &key=<apiKey> */
export function v2SignString(
  params: Readonly<Record<string, string | number | undefined>>,
  apiKey: string,
): string {
  const stringA = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return `${stringA}&key=${apiKey}`;
}

export function v2Sign(
  params: Readonly<Record<string, string | number | undefined>>,
  apiKey: string,
  type: V2SignType = 'MD5',
): string {
  const temp = v2SignString(params, apiKey);
  const digest =
    type === 'MD5'
      ? createHash('md5').update(temp, 'utf8')
      : createHmac('sha256', apiKey).update(temp, 'utf8');
  return digest.digest('hex').toUpperCase();
}

/** sign_type as the request states it; an unknown value is undefined (WeChat answers 签名类型错误) */
export function v2SignTypeOf(params: V2Params): V2SignType | undefined {
  const t = params.sign_type;
  if (t === undefined || t === '' || t === 'MD5') return 'MD5';
  return t === 'HMAC-SHA256' ? 'HMAC-SHA256' : undefined;
}

/** Compares case-insensitively (hex) and in constant time. */
export function v2Verify(
  params: V2Params,
  apiKey: string,
  type: V2SignType = v2SignTypeOf(params) ?? 'MD5',
): boolean {
  const given = params.sign;
  if (!given) return false;
  const expected = Buffer.from(v2Sign(params, apiKey, type));
  const actual = Buffer.from(given.toUpperCase());
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`; // "]]>" cannot appear inside one CDATA section
}

export function encodeV2Xml(params: Readonly<Record<string, string | number | undefined>>): string {
  const body = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${cdata(String(v))}</${k}>`)
    .join('');
  return `<xml>${body}</xml>`;
}

const parser = new XMLParser({
  ignoreDeclaration: true,
  parseTagValue: false,
  processEntities: true,
  ignoreAttributes: true,
  trimValues: false,
});

/**
 * Decodes a flat `<xml>` document into strings; undefined for anything else (not XML, another root,
 * nested or repeated elements). DOCTYPEs are refused outright: WeChat's XXE advisory.
 */
export function decodeV2Xml(xml: string): V2Params | undefined {
  if (
    typeof xml !== 'string' ||
    !/^\s*(?:<\?xml[^>]*\?>\s*)?<xml>/.test(xml) ||
    /<!DOCTYPE|<!ENTITY/i.test(xml)
  )
    return undefined;
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object') return undefined;
  const root = (doc as Record<string, unknown>).xml;
  if (root === '') return {};
  if (!root || typeof root !== 'object' || Array.isArray(root)) return undefined;
  const out: V2Params = {};
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}
