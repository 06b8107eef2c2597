import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import iconv from 'iconv-lite';
import { BillParseError } from './types.js';

export interface ZipChunk {
  /** the entry's name, GBK names decoded */
  name: string;
  data: Uint8Array;
  /** the entry's last chunk */
  final: boolean;
}

/**
 * fflate hands back names stored without the UTF-8 flag as latin-1; Chinese channels store them
 * in GBK, so re-read those bytes as GBK.
 */
export function zipEntryName(name: string): string {
  const latin1 = [...name].every((c) => c.charCodeAt(0) <= 0xff);
  return latin1 ? iconv.decode(Buffer.from(name, 'latin1'), 'gbk') : name;
}

/**
 * Streams the decompressed entries of a ZIP archive as it arrives: memory holds one input chunk
 * and what it inflates to, never the archive. A stream that ends inside an entry is truncated.
 */
export async function* unzipStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<ZipChunk> {
  const out: ZipChunk[] = [];
  let failure: unknown;
  const open = new Set<string>();
  const unzip = new Unzip((file: UnzipFile) => {
    const name = zipEntryName(file.name);
    open.add(name);
    file.ondata = (error, data, final) => {
      if (error) failure ??= error;
      else out.push({ name, data, final });
      if (final) open.delete(name);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (error) {
      failure ??= error;
    }
    if (failure !== undefined) {
      const reason = failure instanceof Error ? failure.message : String(failure);
      throw new BillParseError(`not a readable ZIP archive: ${reason}`);
    }
  };
  let seen = 0;
  let tail: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    seen += chunk.length;
    tail = keepTail(tail, chunk);
    push(chunk, false);
    yield* out.splice(0);
  }
  push(new Uint8Array(0), true);
  yield* out.splice(0);
  if (seen === 0) throw new BillParseError('empty file');
  if (open.size > 0) throw new BillParseError(`truncated archive: ${[...open].join(', ')} is cut short`);
  if (tail.lastIndexOf(END_OF_DIRECTORY) < 0) {
    throw new BillParseError('truncated archive: no end-of-central-directory record');
  }
}

/** PK\x05\x06: the record that closes every whole ZIP (followed by at most a short comment) */
const END_OF_DIRECTORY = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const TAIL_BYTES = 4096;

function keepTail(tail: Buffer, chunk: Uint8Array): Buffer {
  const joined = Buffer.concat([tail, chunk]);
  return Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
}
