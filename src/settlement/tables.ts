import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../platform/db/tables.js';

// Kysely table types for settlement; registered in the schema type below. DDL: migration 0015.

/** yyyy-MM-dd China dates, stored as text (no driver turns them into a shifted Date). */
type DateColumn = string;

export interface SettlementCalendarYearsTable {
  year: number;
  holidays: Json<string[]>;
  workdays: Json<string[]>;
  updated_at: Timestamp;
}

export interface SettlementRunsTable {
  trade_date: DateColumn;
  settlement_date: DateColumn;
  status: 'running' | 'completed';
  merchants: Generated<number>;
  orders: Generated<number>;
  refunds: Generated<number>;
  net: Generated<number>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

export type SettlementRowStatus = 'pending' | 'paying' | 'paid' | 'failed' | 'held';

export interface SettlementsTable {
  /** stl_… */
  id: string;
  merchant_id: string;
  trade_date: DateColumn;
  settlement_date: DateColumn;
  trade_count: number;
  refund_count: number;
  gross: number;
  refunds: number;
  fees: number;
  net: number;
  status: SettlementRowStatus;
  /** why it is held: 'risk_review' or 'operator_hold' */
  hold_reason: string | null;
  /** the payout that carries it, once one does */
  payout_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PayoutStatus = 'paying' | 'paid' | 'failed' | 'returned';

export interface PayoutsTable {
  /** po_… */
  id: string;
  merchant_id: string;
  settlement_date: DateColumn;
  amount: number;
  status: PayoutStatus;
  account_name: string;
  bank: string;
  account_no_masked: string;
  /** the full account number, sealed (purpose payout:<id>): it goes into the bank file only */
  account_ciphertext: string;
  attempts: Generated<number>;
  failure_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MerchantHoldsTable {
  /** hld_… */
  id: string;
  merchant_id: string;
  reason: string;
  created_at: Timestamp;
  released_at: Timestamp | null;
  release_note: string | null;
}

export interface SettlementTables {
  settlement_calendar_years: SettlementCalendarYearsTable;
  settlement_runs: SettlementRunsTable;
  settlements: SettlementsTable;
  payouts: PayoutsTable;
  merchant_holds: MerchantHoldsTable;
}

// Registers these tables in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports a domain module.
declare module '../platform/db/tables.js' {
  interface Tables extends SettlementTables {}
}
