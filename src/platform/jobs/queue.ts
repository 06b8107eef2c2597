import { sql, type Selectable } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Queryable } from '../db/index.js';
import type { JobsTable } from '../db/tables.js';
import { defaultBackoff, type Backoff } from './backoff.js';

/**
 * Durable jobs in the `jobs` table. Every time is read from the injected clock (never the
 * database's now()), so tests move time and workers on different hosts agree with the app.
 * Claims use FOR UPDATE SKIP LOCKED so any number of workers share the table without double work;
 * a claim is a lease, and a crashed worker's expired lease is claimed again by someone else.
 */

export type Job = Selectable<JobsTable>;

export const DEFAULT_MAX_ATTEMPTS = 10;
/** last_error keeps the start of the message; a stack trace or a channel's HTML page can be huge */
export const MAX_ERROR_LENGTH = 2_000;

export interface EnqueueInput {
  queue: string;
  payload: Record<string, unknown>;
  /** default: now */
  runAt?: Date;
  /** default: DEFAULT_MAX_ATTEMPTS */
  maxAttempts?: number;
  /** a second enqueue with the same key returns the first job's id and adds nothing */
  dedupeKey?: string;
}

/** Adds a job. Pass the caller's transaction so a state change and its job commit together. */
export async function enqueue(db: Queryable, input: EnqueueInput, clock: Clock): Promise<string> {
  const { dedupeKey } = input;
  const inserted = await db
    .insertInto('jobs')
    .values(newJobRow(input, clock))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  // The key exists: the conflicting insert has committed by now (ours waited for it), so it is visible.
  const existing = await db
    .selectFrom('jobs')
    .select('id')
    .where('dedupe_key', '=', dedupeKey ?? null)
    .executeTakeFirst();
  if (!existing) throw new Error(`job with dedupe key ${dedupeKey} vanished during enqueue`);
  return existing.id;
}

/**
 * The row enqueue inserts, checked: for a caller that inserts it inside a statement of its own
 * (ON CONFLICT (dedupe_key) DO NOTHING, as enqueue).
 */
export function newJobRow(input: EnqueueInput, clock: Clock) {
  const { queue, payload, dedupeKey } = input;
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (typeof queue !== 'string' || queue.length === 0) throw new TypeError('a job needs a queue name');
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer: ${maxAttempts}`);
  }
  if (input.runAt !== undefined && Number.isNaN(input.runAt.getTime()))
    throw new RangeError('runAt is not a date');
  const now = clock.now();
  return {
    id: newId('job', now.getTime()),
    queue,
    payload: JSON.stringify(payload),
    status: 'queued' as const,
    run_at: input.runAt ?? now,
    max_attempts: maxAttempts,
    dedupe_key: dedupeKey ?? null,
    created_at: now,
    updated_at: now,
  };
}

export interface ClaimOptions {
  queues: readonly string[];
  limit: number;
  workerId: string;
  leaseMs: number;
}

/**
 * Leases up to `limit` due jobs to `workerId` in one statement: queued jobs whose run_at has come,
 * and running jobs whose lease expired (their worker crashed or stalled). Each claim counts as
 * an attempt. Returned in run_at, id order.
 */
export async function claim(db: Queryable, options: ClaimOptions, clock: Clock): Promise<Job[]> {
  const { queues, limit, workerId, leaseMs } = options;
  if (queues.length === 0 || limit <= 0) return [];
  if (!Number.isSafeInteger(limit)) throw new RangeError(`limit must be an integer: ${limit}`);
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0)
    throw new RangeError(`leaseMs must be positive: ${leaseMs}`);
  const now = clock.now();
  const rows = await db
    .updateTable('jobs')
    .set({
      status: 'running',
      attempts: sql<number>`attempts + 1`,
      locked_by: workerId,
      locked_until: new Date(now.getTime() + leaseMs),
      updated_at: now,
    })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('queue', 'in', [...queues])
        .where((w) =>
          w.or([
            w.and([w('status', '=', 'queued'), w('run_at', '<=', now)]),
            w.and([w('status', '=', 'running'), w('locked_until', '<', now)]),
          ]),
        )
        .orderBy('run_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
  // UPDATE … RETURNING has no order of its own
  return rows.sort(
    (a, b) => a.run_at.getTime() - b.run_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * Marks a claimed job done. Returns false (and changes nothing) when this claim no longer owns the
 * job: its lease expired and another worker claimed it, whose result must not be overwritten.
 */
export async function complete(db: Queryable, job: Job, clock: Clock): Promise<boolean> {
  const result = await ownedBy(db, job)
    .set({ status: 'done', locked_by: null, locked_until: null, updated_at: clock.now() })
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface FailOptions {
  /** explicit delay before the next try; overrides the backoff */
  retryInMs?: number;
  /** the queue's schedule; default 5 s doubling, capped at 1 h */
  backoff?: Backoff;
  /** give up now, whatever attempts remain (e.g. a payload that can never succeed) */
  permanent?: boolean;
}

export type FailOutcome = 'retry' | 'failed' | 'lost';

/**
 * Records a failed attempt: back to queued with run_at = now + delay while attempts remain,
 * otherwise failed for good. 'lost' means this claim no longer owns the job (see complete).
 */
export async function fail(
  db: Queryable,
  job: Job,
  error: unknown,
  clock: Clock,
  options: FailOptions = {},
): Promise<FailOutcome> {
  const now = clock.now();
  const retry = !options.permanent && job.attempts < job.max_attempts;
  const delayMs = options.retryInMs ?? (options.backoff ?? defaultBackoff)(job.attempts);
  if (retry && (!Number.isFinite(delayMs) || delayMs < 0))
    throw new RangeError(`invalid retry delay ${delayMs}`);
  const result = await ownedBy(db, job)
    .set({
      status: retry ? 'queued' : 'failed',
      ...(retry ? { run_at: new Date(now.getTime() + Math.ceil(delayMs)) } : {}),
      last_error: errorText(error),
      locked_by: null,
      locked_until: null,
      updated_at: now,
    })
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return 'lost';
  return retry ? 'retry' : 'failed';
}

/** The claim is identified by worker and attempt number, so even a re-claim by the same worker id
 * makes an older claim stale. */
function ownedBy(db: Queryable, job: Job) {
  return db
    .updateTable('jobs')
    .where('id', '=', job.id)
    .where('locked_by', '=', job.locked_by)
    .where('status', '=', 'running')
    .where('attempts', '=', job.attempts);
}

export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** One job by id, for tests and the console. */
export function getJob(db: Queryable, id: string): Promise<Job | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Deletes finished jobs (done, or failed for good) last touched before `cutoff`. Their dedupe keys
 * become free again, so keep them longer than any duplicate enqueue could still arrive.
 */
export async function pruneFinishedJobs(db: Queryable, cutoff: Date): Promise<number> {
  const result = await db
    .deleteFrom('jobs')
    .where('status', 'in', ['done', 'failed'])
    .where('updated_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
