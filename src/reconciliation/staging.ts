import { sql } from 'kysely';
import type { Queryable } from '../platform/db/index.js';
import type { ChannelBillRecord } from './bills/types.js';
import { matchKey } from './match.js';

/**
 * The parsed bill into the staging table (migration 0022), so the database matches it with a
 * set-based join: rows go in batches of BATCH, each batch one INSERT of one JSON parameter
 * (json_to_recordset: the same statement on PGlite and PostgreSQL, and a few parameters instead
 * of ten per row). One batch is written while the next is parsed, so the parser and the database
 * work at once; memory holds two batches, whatever the size of the bill.
 */

const BATCH = 5_000;

type StagedRow = [number, string, string, string, string | null, string, number, number, string];

const insertBatch = (db: Queryable, reconciliationId: string, rows: StagedRow[]) =>
  sql`
    insert into reconciliation_bill_rows
      (reconciliation_id, seq, match_key, kind, out_trade_no, out_refund_no, channel_trade_no, amount, fee, status)
    select ${reconciliationId}::text, (x.v->>0)::integer, x.v->>1, x.v->>2, x.v->>3, x.v->>4, x.v->>5,
           (x.v->>6)::bigint, (x.v->>7)::bigint, x.v->>8
      from json_array_elements(${JSON.stringify(rows)}::json) as x(v)`.execute(db);

/** Removes a reconciliation's staged rows (after its match, or left by a run that died). */
export async function clearStaged(db: Queryable, reconciliationId: string): Promise<void> {
  await db.deleteFrom('reconciliation_bill_rows').where('reconciliation_id', '=', reconciliationId).execute();
}

/**
 * Writes every record of the bill; returns how many. A parse error propagates after the batch in
 * flight has settled: the caller clears what was staged (a broken bill is used whole or not at all).
 */
export async function stageBill(
  db: Queryable,
  reconciliationId: string,
  records: AsyncIterable<ChannelBillRecord> | Iterable<ChannelBillRecord>,
  onRow?: (rows: number) => void,
): Promise<number> {
  let seq = 0;
  let batch: StagedRow[] = [];
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    const rows = batch;
    batch = [];
    await inFlight; // one insert at a time: its error surfaces here, before the next is sent
    inFlight = insertBatch(db, reconciliationId, rows);
    inFlight.catch(() => undefined); // awaited on the next flush or at the end
  };
  try {
    for await (const r of records) {
      batch.push([
        ++seq,
        matchKey(r),
        r.kind,
        r.outTradeNo,
        r.outRefundNo ?? null,
        r.channelTradeNo,
        r.amount,
        r.fee,
        r.status,
      ]);
      if (batch.length === BATCH) await flush();
      if (seq % 10_000 === 0) onRow?.(seq);
    }
    if (batch.length > 0) await flush();
  } finally {
    await inFlight.catch(() => undefined);
  }
  await inFlight;
  onRow?.(seq);
  return seq;
}
