/**
 * ACP message codecs. Requests and notifications travel as application/x-www-form-urlencoded
 * (values percent-encoded, decoded exactly once). Synchronous gateway answers are NOT
 * percent-encoded: the gateway writes `k=v&k=v` raw, and a value that itself contains `&` is
 * wrapped in `{…}` (the ACP SDKs parse by brace depth and keep the braces as part of the value).
 */

export type AcpFields = Record<string, string>;

export class AcpFormatError extends Error {}

/** Form-encodes fields in key order (order does not matter to the signature, it helps reading logs). */
export function encodeForm(fields: AcpFields): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(fields).sort()) params.append(key, fields[key]!);
  return params.toString();
}

/** Decodes a form body once; a key that appears twice is refused (which one would be signed?). */
export function decodeForm(body: string): AcpFields {
  const fields: AcpFields = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key === '') continue;
    if (Object.hasOwn(fields, key)) throw new AcpFormatError(`field ${key} appears twice`);
    fields[key] = value;
  }
  return fields;
}

/** The raw `k=v&…` of a synchronous gateway answer. */
export function encodeAcpResponse(fields: AcpFields): string {
  return Object.keys(fields)
    .sort()
    .map((key) => {
      const value = fields[key]!;
      if (value.includes('&') && !(value.startsWith('{') && value.endsWith('}'))) {
        throw new AcpFormatError(`field ${key} holds '&' outside {…}`);
      }
      return `${key}=${value}`;
    })
    .join('&');
}

/** Parses a raw gateway answer: no percent-decoding, `&` inside {…} or […] belongs to the value. */
export function parseAcpResponse(text: string): AcpFields {
  const fields: AcpFields = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new AcpFormatError(`no '=' after position ${i}`);
    const key = text.slice(i, eq);
    if (key === '' || key.includes('&')) throw new AcpFormatError(`bad key at position ${i}`);
    let j = eq + 1;
    let depth = 0;
    for (; j < text.length; j++) {
      const ch = text[j];
      if (ch === '{' || ch === '[') depth++;
      else if ((ch === '}' || ch === ']') && depth > 0) depth--;
      else if (ch === '&' && depth === 0) break;
    }
    if (depth !== 0) throw new AcpFormatError(`unbalanced brackets in field ${key}`);
    if (Object.hasOwn(fields, key)) throw new AcpFormatError(`field ${key} appears twice`);
    fields[key] = text.slice(eq + 1, j);
    i = j + 1;
  }
  return fields;
}
