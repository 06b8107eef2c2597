import type { Timestamp } from '../platform/db/tables.js';

// Kysely table types for plate batches (issue 4); merged into Tables in src/platform/db/tables.ts.

/** One print run of blank plates (migration 0004). */
export interface PlateBatchesTable {
  id: string;
  count: number;
  amount: number | null;
  created_by: string;
  created_at: Timestamp;
}

export interface PlateTables {
  plate_batches: PlateBatchesTable;
}

// Columns migration 0004 adds to `plates` (declared in tables.ts from 0001); merged into PlatesTable.
declare module '../platform/db/tables.js' {
  interface PlatesTable {
    /** position in its batch, 1-based, printed as the plate number; null for plates made before 0004 */
    seq: number | null;
    updated_at: Timestamp | null;
    bound_at: Timestamp | null;
  }
}
