import { sql, type OperationNodeSource } from 'kysely';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { inTransaction, type Db, type Tx } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { startPolling } from '../platform/polling.js';
import { checkedPostings, type EntryDraft } from './journal.js';
import { postEntries, type TimedDraft } from './store.js';

/**
 * Deferred booking: the payment's transaction records WHAT to book (the entry draft, already
 * checked, as a row of the `jobs` table in the `ledger.book` queue, keyed by the event), and a
 * consumer books many of them per transaction. The payment pays one insert instead of the entry,
 * its postings and the balance upserts — and no lock on shared balance rows (the parties' income
 * accounts and the channel's receivable are shared by every merchant).
 *
 * Exactly once: a queued draft and the state change commit together; the consumer's entries and
 * its marking of the drafts as done commit together (a crash rolls both back, and the drafts are
 * booked by the next round); and an entry is unique on its event key, so a draft booked twice
 * (a duplicate enqueue after its key was pruned) writes nothing the second time.
 *
 * Balances lag by the consumer's interval (docs/money.md): `drainBookings` books everything queued
 * (tests call it before reading balances).
 */

export const BOOKING_QUEUE = 'ledger.book';
/** drafts booked per transaction */
export const BOOKING_BATCH = 500;

interface BookingPayload {
  draft: EntryDraft;
  /** when the business event happened: the entry's created_at (revenue by day uses it) */
  at: string;
}

/**
 * The insert of a booking job for `draft` (not yet run), so a caller can put it in the same
 * statement as its own write. Throws at once if the draft doesn't balance: an entry the consumer
 * would refuse must fail the payment, not sit in the queue.
 */
export function bookingJob(draft: EntryDraft, at: Date) {
  checkedPostings(draft);
  const payload: BookingPayload = { draft, at: at.toISOString() };
  return {
    id: newId('job', at.getTime()),
    queue: BOOKING_QUEUE,
    payload: JSON.stringify(payload),
    status: 'queued' as const,
    run_at: at,
    max_attempts: 10,
    dedupe_key: `ledger:${draft.eventKey}`,
    created_at: at,
    updated_at: at,
  };
}

/** Queues `draft` in the caller's transaction; false when its event was queued already. */
export async function queueBooking(tx: Tx, draft: EntryDraft, at: Date): Promise<boolean> {
  const inserted = await tx
    .insertInto('jobs')
    .values(bookingJob(draft, at))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Queues `draft` only if `write` (an INSERT … RETURNING, not yet run) inserts a row, in ONE
 * statement: the payment's fee snapshot and its booking cost one round trip together. False when
 * `write` inserted nothing (the snapshot existed: booked or queued with it before).
 */
export async function queueBookingWith(
  tx: Tx,
  write: OperationNodeSource,
  draft: EntryDraft,
  at: Date,
): Promise<boolean> {
  const job = bookingJob(draft, at);
  const { rows } = await sql<{ id: string }>`
    with written as (${write})
    insert into jobs (id, queue, payload, status, run_at, max_attempts, dedupe_key, created_at, updated_at)
    select ${job.id}::text, ${job.queue}::text, ${job.payload}::jsonb, 'queued', ${job.run_at}::timestamptz,
      ${job.max_attempts}::integer, ${job.dedupe_key}::text, ${job.created_at}::timestamptz,
      ${job.updated_at}::timestamptz
    from written limit 1
    on conflict (dedupe_key) do nothing
    returning id`.execute(tx);
  return rows.length > 0;
}

/** Has this event been queued or booked (whether or not the consumer has run yet)? */
export async function isBookedOrQueued(tx: Tx, eventKey: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from ledger_entries where event_key = ${eventKey})
        or exists (select 1 from jobs where dedupe_key = ${`ledger:${eventKey}`}) as found`.execute(tx);
  return rows[0]?.found === true;
}

export interface BookOptions {
  clock: Clock;
  batch?: number;
  /** runs before the batch commits; throwing rolls it back (the seam for crash tests) */
  beforeCommit?: (drafts: number) => Promise<void> | void;
}

/**
 * Books up to `batch` queued drafts, oldest first, in one transaction; returns how many were
 * taken. Rows are locked FOR UPDATE SKIP LOCKED, so consumers on several nodes take different
 * drafts (and never wait on a payment still writing its own).
 */
export async function bookQueued(db: Db, options: BookOptions): Promise<number> {
  const limit = options.batch ?? BOOKING_BATCH;
  return inTransaction(db, async (tx) => {
    const now = options.clock.now();
    const jobs = await tx
      .selectFrom('jobs')
      .select(['id', 'payload'])
      // literals, so the planner always matches the partial index jobs_ledger_booking (migration 0019)
      .where('queue', '=', sql.lit(BOOKING_QUEUE))
      .where('status', '=', sql.lit('queued'))
      .where('run_at', '<=', now)
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (jobs.length === 0) return 0;
    const drafts: TimedDraft[] = jobs.map((j) => {
      const p = j.payload as unknown as BookingPayload;
      return { draft: p.draft, at: new Date(p.at) };
    });
    await postEntries(tx, drafts);
    await tx
      .updateTable('jobs')
      .set({ status: 'done', attempts: sql`attempts + 1`, updated_at: now })
      .where(
        'id',
        'in',
        jobs.map((j) => j.id),
      )
      .execute();
    await options.beforeCommit?.(jobs.length);
    return jobs.length;
  });
}

/** Books until nothing is queued; returns the number booked. Tests call it before reading balances. */
export async function drainBookings(db: Db, options: BookOptions): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await bookQueued(db, options);
    total += n;
    if (n === 0) return total;
  }
}

export interface StartBookingOptions {
  intervalMs: number;
  clock: Clock;
  batch?: number;
  logger?: Logger;
}

/**
 * Runs bookQueued every intervalMs (at once again while batches come back full) until the returned
 * function is called; that resolves when the current round is over. A failed round is logged and
 * retried on the next tick (nothing was written: its transaction rolled back).
 */
export function startBooking(db: Db, options: StartBookingOptions): () => Promise<void> {
  const batch = options.batch ?? BOOKING_BATCH;
  return startPolling(async () => (await bookQueued(db, { clock: options.clock, batch })) === batch, {
    intervalMs: options.intervalMs,
    onError: (err) => options.logger?.error({ err }, 'ledger booking round failed'),
  });
}
