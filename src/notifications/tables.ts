import type { Generated } from 'kysely';
import type { Timestamp } from '../platform/db/tables.js';

// Kysely table types for webhooks (issue 6); merged into Tables (platform/db/tables.ts) below.
// The migration 0002_webhooks is the source of truth.

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
export type AttemptOutcome = 'in_flight' | 'succeeded' | 'failed' | 'abandoned';

/** The last sequence number given to each object (order, refund); one row per object. */
export interface WebhookSequencesTable {
  object_id: string;
  last_sequence: number;
}

export interface WebhookEventsTable {
  id: string;
  app_id: string;
  merchant_id: string;
  type: string;
  object_type: string;
  object_id: string;
  sequence: number;
  /** the exact JSON sent on every attempt (signed as is) */
  body: string;
  /** the object's own notify_url; null means the app's default at delivery time */
  notify_url: string | null;
  status: DeliveryStatus;
  /** 1 for the first delivery schedule, +1 for each resend */
  round: Generated<number>;
  /** attempts made in the current round; indexes the retry schedule */
  round_attempts: Generated<number>;
  attempt_count: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
}

export interface WebhookAttemptsTable {
  event_id: string;
  attempt_number: number;
  round: number;
  url: string | null;
  worker_id: string;
  outcome: AttemptOutcome;
  status_code: number | null;
  latency_ms: number | null;
  response_excerpt: string | null;
  error: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface WebhookTables {
  webhook_sequences: WebhookSequencesTable;
  webhook_events: WebhookEventsTable;
  webhook_attempts: WebhookAttemptsTable;
}

// Registers these tables in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports a domain module.
declare module '../platform/db/tables.js' {
  interface Tables extends WebhookTables {}
}
