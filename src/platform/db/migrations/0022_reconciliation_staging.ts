import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Reconciliation's staging table (issue 14): the parsed rows of the bill being reconciled, written
// in large batches so the database joins them with the day's orders and refunds (a set-based
// match whose memory is the database's, not one JS object per row). Rows live only while their
// reconciliation runs: deleted in the transaction that writes its result, or at the start of a
// re-run after a crash. Unlogged (no WAL): a crash loses only rows a re-run writes again. No index:
// the match reads a reconciliation's rows once, in one scan, and nothing else looks them up.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `
      create unlogged table reconciliation_bill_rows (
        reconciliation_id text not null,
        seq integer not null,
        match_key text not null,
        kind text not null,
        out_trade_no text not null,
        out_refund_no text,
        channel_trade_no text,
        amount bigint not null,
        fee bigint not null,
        status text not null
      )
    `,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, ['drop table reconciliation_bill_rows']);
}
