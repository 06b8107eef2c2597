import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../platform/db/tables.js';

// Kysely table types for reconciliation; registered in the schema type below. DDL: migrations 0014, 0022.

export interface ReconciliationSummaryJson {
  matched: number;
  mismatched: number;
  channel_total: number;
  platform_total: number;
}

export interface ReconciliationsTable {
  id: string;
  /** `yyyy-MM-dd`, China time */
  trade_date: string;
  channel: string;
  /** the channel identity the bill belongs to (e.g. `wechatpay:<sp_mchid>/<sub_mchid>`), or `file` */
  identity: string;
  status: 'running' | 'completed' | 'failed';
  reason: string | null;
  summary: Json<ReconciliationSummaryJson | Record<string, never>>;
  totals: Json<Record<string, number> | null> | null;
  bill_file_id: string | null;
  runs: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export type MismatchStatus = 'open' | 'auto_resolved' | 'resolved';

export interface ReconciliationMismatchesTable {
  id: string;
  reconciliation_id: string;
  trade_date: string;
  channel: string;
  match_key: string;
  type: 'channel_only' | 'platform_only' | 'amount_mismatch' | 'status_mismatch' | 'fee_mismatch';
  kind: 'trade' | 'refund';
  merchant_id: string | null;
  order_id: string | null;
  refund_id: string | null;
  out_trade_no: string | null;
  channel_trade_no: string | null;
  channel_amount: number | null;
  platform_amount: number | null;
  channel_fee: number | null;
  platform_fee: number | null;
  channel_status: string | null;
  platform_status: string | null;
  detail: string;
  status: Generated<MismatchStatus>;
  resolution: Json<Record<string, unknown> | null> | null;
  run: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  resolved_at: Timestamp | null;
}

export interface ReconciliationBillFilesTable {
  id: string;
  reconciliation_id: string;
  format: string;
  file_name: string | null;
  sha1: string | null;
  size: Generated<number>;
  created_at: Timestamp;
}

export interface ReconciliationBillChunksTable {
  file_id: string;
  seq: number;
  data: Uint8Array;
}

/** one parsed bill row of a running reconciliation (the staging side of the match in SQL) */
export interface ReconciliationBillRowsTable {
  reconciliation_id: string;
  /** the row's place in the bill: the last of a key listed twice is the one reported */
  seq: number;
  match_key: string;
  kind: 'trade' | 'refund';
  out_trade_no: string;
  out_refund_no: string | null;
  channel_trade_no: string | null;
  amount: number;
  fee: number;
  status: string;
}

export interface ReconciliationTables {
  reconciliations: ReconciliationsTable;
  reconciliation_mismatches: ReconciliationMismatchesTable;
  reconciliation_bill_files: ReconciliationBillFilesTable;
  reconciliation_bill_chunks: ReconciliationBillChunksTable;
  reconciliation_bill_rows: ReconciliationBillRowsTable;
}

// Registers these tables in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports a domain module.
declare module '../platform/db/tables.js' {
  interface Tables extends ReconciliationTables {}
}
