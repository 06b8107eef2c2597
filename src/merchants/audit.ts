import type { Clock } from '../core/clock.js';
import { newestFirst, type Queryable } from '../platform/db/index.js';

/**
 * The admin audit log: who changed what, with the object before and after. Written in the same
 * transaction as the change, so a change without its audit row cannot commit.
 */

export interface AuditEntry {
  /** 'admin' for the admin token holder today; operator accounts later; 'system:<job>' for jobs */
  actor: string;
  /** e.g. merchant.suspend, app.rotate_secret, channel_config.update */
  action: string;
  objectType: string;
  objectId: string;
  merchantId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  requestId?: string | null;
}

export const REDACTED = '[redacted]';
// names that hold secrets (app_secret, *_private_key, apiv3_key, app_auth_token …); the views never
// carry them, this is the backstop. Objects are searched, not replaced: has_secret flags stay.
const SECRET_NAME =
  /((^|_)(secret|password|passwd|token)|private_key|(^|_)api_?(v[23]_)?key|sign_key|des_key|ciphertext)$/i;

/** A deep copy with every secret-named scalar replaced by [redacted]. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const scalar = inner !== null && typeof inner !== 'object' && typeof inner !== 'boolean';
    out[key] = scalar && SECRET_NAME.test(key) ? REDACTED : redact(inner);
  }
  return out;
}

export async function writeAudit(db: Queryable, entry: AuditEntry, clock: Clock): Promise<void> {
  const snapshot = (v: Record<string, unknown> | null | undefined) =>
    v === undefined || v === null ? null : JSON.stringify(redact(v));
  await db
    .insertInto('audit_log')
    .values({
      at: clock.now(),
      actor: entry.actor,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId,
      merchant_id: entry.merchantId ?? null,
      before: snapshot(entry.before),
      after: snapshot(entry.after),
      request_id: entry.requestId ?? null,
    })
    .execute();
}

/** Who asks for a change: the actor (see AuditEntry) and the request it arrived with. */
export interface AuditActor {
  actor: string;
  requestId: string | null;
}

/** Records a change made by `by`, inside the change's transaction. */
export function writeAuditBy(
  db: Queryable,
  by: AuditActor,
  clock: Clock,
  entry: Omit<AuditEntry, 'actor' | 'requestId'>,
): Promise<void> {
  return writeAudit(db, { ...entry, actor: by.actor, requestId: by.requestId }, clock);
}

export interface AuditQuery {
  objectId?: string;
  merchantId?: string;
  action?: string;
  limit: number;
  startingAfter?: number;
}

/** Newest first, limit + 1 rows (see toPage); `startingAfter` is the last id of the previous page. */
export function listAudit(db: Queryable, query: AuditQuery) {
  return newestFirst(db.selectFrom('audit_log').selectAll(), query, {
    object_id: query.objectId,
    merchant_id: query.merchantId,
    action: query.action,
  }).execute();
}

export type AuditRow = Awaited<ReturnType<typeof listAudit>>[number];

export function auditObject(row: AuditRow) {
  return {
    object: 'audit_entry' as const,
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    object_type: row.object_type,
    object_id: row.object_id,
    merchant_id: row.merchant_id,
    before: row.before,
    after: row.after,
    request_id: row.request_id,
  };
}
