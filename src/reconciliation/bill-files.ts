import { newId } from '../core/ids.js';
import type { Db, Queryable } from '../platform/db/index.js';

/** The raw bill as downloaded (migration 0014), kept in 1 MiB chunks: written and read as a stream. */

const CHUNK = 1 << 20;

/** Stores the raw bill as it arrives, 1 MiB per row: memory holds one chunk, whatever the size. */
export async function storeBillFile(
  db: Db,
  reconciliationId: string,
  file: { format: string; fileName?: string | undefined; sha1?: string | undefined },
  bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  now: Date,
): Promise<string> {
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
  let seq = 0;
  let size = 0;
  let buffer = Buffer.alloc(CHUNK);
  let filled = 0;
  const flush = async () => {
    if (filled === 0) return;
    await db
      .insertInto('reconciliation_bill_chunks')
      .values({ file_id: id, seq: seq++, data: buffer.subarray(0, filled) })
      .execute();
    buffer = Buffer.alloc(CHUNK);
    filled = 0;
  };
  for await (const piece of bytes) {
    let offset = 0;
    while (offset < piece.length) {
      const n = Math.min(CHUNK - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      size += n;
      if (filled === CHUNK) await flush();
    }
  }
  await flush();
  await db.updateTable('reconciliation_bill_files').set({ size }).where('id', '=', id).execute();
  await db
    .updateTable('reconciliations')
    .set({ bill_file_id: id })
    .where('id', '=', reconciliationId)
    .execute();
  return id;
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
