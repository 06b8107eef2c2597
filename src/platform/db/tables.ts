import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the schema. The migrations in ./migrations are the source of truth. */

import type { WebhookTables } from '../../notifications/tables.js';
import type { TenancyTables } from '../../merchants/tables.js';
import type { PlateTables } from '../../merchants/plates-tables.js';
import type { PaymentTables } from '../../payments/tables.js';
import type { RiskTables } from '../../risk/tables.js';

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb: read as the value, written as JSON text */
export type Json<T = unknown> = ColumnType<T, string, string>;

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface PlatesTable {
  code: string;
  batch_id: string;
  merchant_id: string | null;
  store_id: string | null;
  amount: number | null;
  status: 'blank' | 'bound' | 'disabled';
  created_at: CreatedAt;
}

export interface OutboxTable {
  id: string;
  topic: string;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamp;
  published_at: Timestamp | null;
}

export interface ProcessedEventsTable {
  consumer: string;
  event_id: string;
  processed_at: Timestamp;
}

export interface JobsTable {
  id: string;
  queue: string;
  payload: Json<Record<string, unknown>>;
  status: 'queued' | 'running' | 'done' | 'failed';
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Timestamp | null;
  dedupe_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdempotencyKeysTable {
  app_id: string;
  key: string;
  request_hash: string;
  status: 'in_progress' | 'done';
  response_status: number | null;
  response_body: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** Each domain module declares its own tables (…/tables.ts) and they are merged here; the tenancy
 * tables (institutions … apps) are in src/merchants/tables.ts. */
export interface Tables extends WebhookTables, TenancyTables, PlateTables, PaymentTables, RiskTables {
  settings: SettingsTable;
  plates: PlatesTable;
  outbox: OutboxTable;
  processed_events: ProcessedEventsTable;
  jobs: JobsTable;
  idempotency_keys: IdempotencyKeysTable;
}
