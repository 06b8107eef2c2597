import type { CreatedAt, Timestamp } from '../../platform/db/tables.js';

// Kysely table types for plates and their batches (migrations 0001, 0004); merged into Tables
// (platform/db/tables.ts) below.

export interface PlatesTable {
  code: string;
  batch_id: string;
  merchant_id: string | null;
  store_id: string | null;
  amount: number | null;
  status: 'blank' | 'bound' | 'disabled';
  created_at: CreatedAt;
  /** position in its batch, 1-based, printed as the plate number; null for plates made before 0004 */
  seq: number | null;
  updated_at: Timestamp | null;
  bound_at: Timestamp | null;
}

/** One print run of blank plates (migration 0004). */
export interface PlateBatchesTable {
  id: string;
  count: number;
  amount: number | null;
  created_by: string;
  created_at: Timestamp;
}

export interface PlateTables {
  plates: PlatesTable;
  plate_batches: PlateBatchesTable;
}

// Registers these tables in the one Kysely schema type, so platform never imports a domain module.
declare module '../../platform/db/tables.js' {
  interface Tables extends PlateTables {}
}
