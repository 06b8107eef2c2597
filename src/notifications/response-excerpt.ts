/**
 * What an attempt stores of the merchant's answer: the first bytes as text, or a marker when the
 * answer is binary. Pure. The answer itself is never read past READ_LIMIT_BYTES (see http-post).
 */

export const READ_LIMIT_BYTES = 4 * 1024;
export const EXCERPT_BYTES = 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Cuts a trailing multi-byte UTF-8 sequence that the byte limit split. */
function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? bytes.subarray(0, n - back) : bytes;
  }
  return bytes;
}

/**
 * @param bytes the start of the answer (at most READ_LIMIT_BYTES)
 * @param truncated whether the answer went on past what was read
 */
export function responseExcerpt(bytes: Uint8Array, truncated: boolean): string {
  const head = bytes.subarray(0, EXCERPT_BYTES);
  const cut = truncated || bytes.length > EXCERPT_BYTES;
  const size = `${bytes.length}${truncated ? '+' : ''} bytes`;
  let text: string;
  try {
    text = decoder.decode(cut ? trimPartialUtf8(head) : head);
  } catch {
    return `<binary ${size}>`;
  }
  // control characters other than tab / newline / carriage return mean it is not text
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) return `<binary ${size}>`;
  return cut ? `${text}…<cut, ${size}>` : text;
}
