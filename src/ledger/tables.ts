import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../platform/db/tables.js';

// Kysely table types for the ledger; registered in the schema type below.
// DDL: migration 0010 (entries and postings are immutable there).

export type BalanceType = 'payment' | 'refund' | 'settlement' | 'payout' | 'adjustment';

export interface LedgerEntriesTable {
  /** btx_…: a journal entry; the ones that touch a merchant are its balance transactions */
  id: string;
  /** the business event this entry records; unique, so a replay writes nothing */
  event_key: string;
  /** the posting rule, e.g. payment_succeeded */
  type: string;
  balance_type: BalanceType | null;
  /** the business object: ord_…, rfd_…, exc_…, stl_…, po_…, adj_… */
  source: string;
  merchant_id: string | null;
  amount: Generated<number>;
  fee: Generated<number>;
  net: Generated<number>;
  memo: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface LedgerPostingsTable {
  id: Generated<number>;
  entry_id: string;
  account: string;
  /** signed fen: a debit is positive, a credit negative; an entry's postings sum to zero */
  amount: number;
  created_at: Timestamp;
}

export interface LedgerBalancesTable {
  account: string;
  shard: number;
  debit: Generated<number>;
  credit: Generated<number>;
}

export interface LedgerTables {
  ledger_entries: LedgerEntriesTable;
  ledger_postings: LedgerPostingsTable;
  ledger_balances: LedgerBalancesTable;
}

// Registers these tables in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports a domain module.
declare module '../platform/db/tables.js' {
  interface Tables extends LedgerTables {}
}
