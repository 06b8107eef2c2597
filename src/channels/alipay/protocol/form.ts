/**
 * application/x-www-form-urlencoded as browsers and urllib write it (space as `+`). Decoding never
 * throws: a malformed escape makes the whole body invalid, which the gateway reports as bad input.
 */

export function encodeForm(params: Readonly<Record<string, string>>): string {
  return new URLSearchParams(params).toString();
}

/** undefined for an undecodable body; a repeated key keeps its first value, as servlet getParameter does */
export function decodeForm(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replaceAll('+', ' '));
      value = decodeURIComponent(rawValue.replaceAll('+', ' '));
    } catch {
      return undefined;
    }
    if (!(key in out)) out[key] = value;
  }
  return out;
}
