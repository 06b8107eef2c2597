import { BillParseError } from './types.js';

export interface RawLine {
  /** the line's bytes without its `\r\n` / `\n` */
  bytes: Buffer;
  /** 1-based */
  number: number;
}

const LF = 0x0a;
const CR = 0x0d;
/** a line longer than this is not a bill line: fail instead of buffering without bound */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Cuts bytes into lines as they arrive, holding only the current partial line. Splitting on the
 * byte 0x0A is safe for UTF-8 and GBK alike: neither uses it inside a multi-byte character.
 */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private number = 0;

  push(chunk: Uint8Array): RawLine[] {
    const data =
      this.pending.length > 0
        ? Buffer.concat([this.pending, chunk])
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lines: RawLine[] = [];
    let start = 0;
    for (let at = data.indexOf(LF, start); at >= 0; at = data.indexOf(LF, start)) {
      const end = at > start && data[at - 1] === CR ? at - 1 : at;
      lines.push({ bytes: data.subarray(start, end), number: ++this.number });
      start = at + 1;
    }
    if (data.length - start > MAX_LINE_BYTES) {
      throw new BillParseError(`a line longer than ${MAX_LINE_BYTES} bytes`, this.number + 1);
    }
    // copy so the (possibly large) chunk the rest came from can be collected
    this.pending = Buffer.from(data.subarray(start));
    return lines;
  }

  /** the last line when the file does not end with a line break */
  end(): RawLine[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length === 0) return [];
    const end = rest[rest.length - 1] === CR ? rest.length - 1 : rest.length;
    return [{ bytes: rest.subarray(0, end), number: ++this.number }];
  }
}

export async function* splitLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<RawLine> {
  const splitter = new LineSplitter();
  for await (const chunk of source) yield* splitter.push(chunk);
  yield* splitter.end();
}

/** Passes the bytes through unchanged while feeding them to `tap` (a running hash, a counter). */
export async function* tapBytes(
  source: AsyncIterable<Uint8Array>,
  tap: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    tap(chunk);
    yield chunk;
  }
}

/** An in-memory file as a byte stream in chunks (tests and `--file` on small files). */
export async function* bytesOf(data: Uint8Array | string, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}
