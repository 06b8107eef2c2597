import { newId } from '../core/ids.js';
import type { Db, Queryable } from '../platform/db/index.js';

/** The raw bill as downloaded (migration 0014), kept in 1 MiB chunks: written and read as a stream. */

const CHUNK = 1 << 20;

/**
 * Stores the raw bill as it arrives, 1 MiB per row: memory holds two chunks (one being filled, one
 * being written), whatever the size. `finish` links the file to its reconciliation.
 */
export class BillFileWriter {
  private seq = 0;
  private size = 0;
  private buffer = Buffer.alloc(CHUNK);
  private filled = 0;
  private inFlight: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: Db,
    private readonly reconciliationId: string,
    readonly id: string,
  ) {}

  static async open(
    db: Db,
    reconciliationId: string,
    file: { format: string; fileName?: string | undefined; sha1?: string | undefined },
    now: Date,
  ): Promise<BillFileWriter> {
    const id = newId('billFile', now.getTime());
    await db
      .insertInto('reconciliation_bill_files')
      .values({
        id,
        reconciliation_id: reconciliationId,
        format: file.format,
        file_name: file.fileName ?? null,
        sha1: file.sha1 ?? null,
        created_at: now,
      })
      .execute();
    return new BillFileWriter(db, reconciliationId, id);
  }

  async write(piece: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < piece.length) {
      const n = Math.min(CHUNK - this.filled, piece.length - offset);
      this.buffer.set(piece.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      this.size += n;
      if (this.filled === CHUNK) await this.flush();
    }
  }

  /** one chunk written while the next fills: its error surfaces on the next flush */
  private async flush(): Promise<void> {
    if (this.filled === 0) return;
    const data = this.buffer.subarray(0, this.filled);
    this.buffer = Buffer.alloc(CHUNK);
    this.filled = 0;
    await this.inFlight;
    this.inFlight = this.db
      .insertInto('reconciliation_bill_chunks')
      .values({ file_id: this.id, seq: this.seq++, data })
      .execute();
    this.inFlight.catch(() => undefined);
  }

  async finish(): Promise<string> {
    await this.flush();
    await this.inFlight;
    await this.db
      .updateTable('reconciliation_bill_files')
      .set({ size: this.size })
      .where('id', '=', this.id)
      .execute();
    await this.db
      .updateTable('reconciliations')
      .set({ bill_file_id: this.id })
      .where('id', '=', this.reconciliationId)
      .execute();
    return this.id;
  }
}

export async function storeBillFile(
  db: Db,
  reconciliationId: string,
  file: { format: string; fileName?: string | undefined; sha1?: string | undefined },
  bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  now: Date,
): Promise<string> {
  const writer = await BillFileWriter.open(db, reconciliationId, file, now);
  for await (const piece of bytes) await writer.write(piece);
  return writer.finish();
}

/**
 * The bill's bytes handed to the parser and stored as they pass, so the file is read once (not
 * stored, then read back). A parser that stops early (a broken bill) leaves the rest unread:
 * `drain` stores it, so the stored file is always the whole download.
 */
export function storedAsRead(
  writer: BillFileWriter,
  bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): { bytes: AsyncIterable<Uint8Array>; drain: () => Promise<void>; finish: () => Promise<string> } {
  let finished: Promise<string> | undefined;
  const source =
    Symbol.asyncIterator in bytes ? bytes[Symbol.asyncIterator]() : toAsync(bytes[Symbol.iterator]());
  return {
    bytes: {
      // not a for-await over `source`: the parser stopping must not close it before `drain`
      async *[Symbol.asyncIterator]() {
        for (let next = await source.next(); !next.done; next = await source.next()) {
          await writer.write(next.value);
          yield next.value;
        }
      },
    },
    drain: async () => {
      for (let next = await source.next(); !next.done; next = await source.next())
        await writer.write(next.value);
    },
    // once, whichever path gets there first
    finish: () => (finished ??= writer.finish()),
  };
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return { next: async () => it.next() };
}

/** The stored bill read back one chunk at a time. */
export async function* readBillFile(db: Queryable, fileId: string): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const row = await db
      .selectFrom('reconciliation_bill_chunks')
      .select('data')
      .where('file_id', '=', fileId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!row) return;
    // handed on in 64 KiB pieces, the size a file stream gives the parser
    for (let at = 0; at < row.data.length; at += 1 << 16) yield row.data.subarray(at, at + (1 << 16));
  }
}
