import type { Clock } from '../core/clock.js';
import { unixSeconds } from '../core/clock.js';
import { randomToken } from '../core/ids.js';
import { AppSecrets } from '../merchants/index.js';
import type { Cache } from '../platform/cache/cache.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { PermanentJobError, type Job, type RetryRequest } from '../platform/jobs/index.js';
import type { SecretBox } from '../platform/secret-box.js';
import { postWebhook, type PostOptions, type PostResult } from './http-post.js';
import { nextRetryDelayMs } from './schedule.js';
import { signWebhook } from './verify.js';

/**
 * One delivery attempt of one event, run as a job of the `webhook` queue. Three steps:
 *  1. a transaction that checks this worker still owns the job, locks the event, and records the
 *     attempt as in flight under the primary key (event, attempt number): a second worker can
 *     never start the same attempt, and an attempt a crashed worker left in flight is marked
 *     abandoned by the next one;
 *  2. the POST, outside any transaction;
 *  3. a transaction that records the answer and moves the event (succeeded / next retry / failed).
 * The handler's return value asks the jobs module to run it again at the schedule's next delay.
 */

export interface DeliveryDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  /** the shared cache that tells of app changes (a rotated secret signs at once); else a minute */
  cache?: Cache | undefined;
  /** app secrets by app id, so a backlog does not look up and decrypt the secret per attempt */
  secrets?: AppSecrets;
}

export interface DeliveryOptions extends PostOptions {
  /** recorded on each attempt, for operators */
  workerId?: string;
}

/** A header with the attempt number, so a receiver can tell retries apart (not signed). */
export const ATTEMPT_HEADER = 'juhe-attempt';

interface StartedAttempt {
  kind: 'send';
  attemptNumber: number;
  roundAttempts: number;
  appId: string;
  body: string;
  url: string | null;
}

type Start = StartedAttempt | { kind: 'skip' } | { kind: 'lost' } | { kind: 'missing' };

function parsePayload(job: Job): { eventId: string; round: number } {
  const { event_id: eventId, round } = job.payload as { event_id?: unknown; round?: unknown };
  if (typeof eventId !== 'string' || !Number.isSafeInteger(round)) {
    throw new PermanentJobError(`webhook job ${job.id} has a malformed payload`);
  }
  return { eventId, round: round as number };
}

async function startAttempt(
  deps: DeliveryDeps,
  job: Job,
  eventId: string,
  round: number,
  workerId: string,
): Promise<Start> {
  return inTransaction(deps.db, async (tx) => {
    const owned = await tx
      .selectFrom('jobs')
      .select('id')
      .where('id', '=', job.id)
      .where('locked_by', '=', job.locked_by)
      .where('attempts', '=', job.attempts)
      .where('status', '=', 'running')
      .forUpdate()
      .executeTakeFirst();
    if (!owned) return { kind: 'lost' };
    const event = await tx
      .selectFrom('webhook_events')
      .innerJoin('apps', 'apps.id', 'webhook_events.app_id')
      .select([
        'webhook_events.status',
        'webhook_events.round',
        'webhook_events.attempt_count',
        'webhook_events.round_attempts',
        'webhook_events.body',
        'webhook_events.app_id',
        'webhook_events.notify_url',
        'apps.notify_url as app_notify_url',
      ])
      .where('webhook_events.id', '=', eventId)
      .forUpdate('webhook_events')
      .executeTakeFirst();
    if (!event) return { kind: 'missing' };
    if (event.status !== 'pending' || event.round !== round) return { kind: 'skip' };
    const now = deps.clock.now();
    // A job claimed before (a retry, or a reclaim after a crash) may have left an attempt in
    // flight; the first claim of a round cannot have (a resend needs the last round finished).
    if (job.attempts > 1) {
      await tx
        .updateTable('webhook_attempts')
        .set({
          outcome: 'abandoned',
          error: 'the worker stopped before this attempt finished',
          finished_at: now,
        })
        .where('event_id', '=', eventId)
        .where('outcome', '=', 'in_flight')
        .execute();
    }
    const attemptNumber = event.attempt_count + 1;
    const url = event.notify_url ?? event.app_notify_url;
    await tx
      .insertInto('webhook_attempts')
      .values({
        event_id: eventId,
        attempt_number: attemptNumber,
        round,
        url,
        worker_id: workerId,
        outcome: 'in_flight',
        started_at: now,
      })
      .execute();
    await tx
      .updateTable('webhook_events')
      .set({
        attempt_count: attemptNumber,
        round_attempts: event.round_attempts + 1,
        last_attempt_at: now,
        next_attempt_at: null,
      })
      .where('id', '=', eventId)
      .execute();
    return {
      kind: 'send',
      attemptNumber,
      roundAttempts: event.round_attempts + 1,
      appId: event.app_id,
      body: event.body,
      url,
    };
  });
}

type Finish =
  { kind: 'succeeded' } | { kind: 'retry'; delayMs: number } | { kind: 'failed' } | { kind: 'lost' };

async function finishAttempt(
  deps: DeliveryDeps,
  eventId: string,
  attempt: StartedAttempt,
  result: PostResult,
): Promise<Finish> {
  return inTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const recorded = await tx
      .updateTable('webhook_attempts')
      .set({
        outcome: result.acknowledged ? 'succeeded' : 'failed',
        status_code: result.statusCode,
        latency_ms: result.latencyMs,
        response_excerpt: result.excerpt,
        error: result.error,
        finished_at: now,
      })
      .where('event_id', '=', eventId)
      .where('attempt_number', '=', attempt.attemptNumber)
      .where('outcome', '=', 'in_flight')
      .returning('attempt_number')
      .executeTakeFirst();
    // another worker took over (our lease ran out) and already closed this attempt as abandoned
    if (!recorded) return { kind: 'lost' };
    if (result.acknowledged) {
      await tx
        .updateTable('webhook_events')
        .set({ status: 'succeeded', delivered_at: now, next_attempt_at: null })
        .where('id', '=', eventId)
        .execute();
      return { kind: 'succeeded' };
    }
    const delayMs = nextRetryDelayMs(attempt.roundAttempts);
    await tx
      .updateTable('webhook_events')
      .set(
        delayMs === null
          ? { status: 'failed', next_attempt_at: null }
          : { next_attempt_at: new Date(now.getTime() + delayMs) },
      )
      .where('id', '=', eventId)
      .execute();
    return delayMs === null ? { kind: 'failed' } : { kind: 'retry', delayMs };
  });
}

/** The `webhook` job handler's body. */
export async function deliverEvent(
  deps: DeliveryDeps,
  job: Job,
  options: DeliveryOptions,
): Promise<void | RetryRequest> {
  const { eventId, round } = parsePayload(job);
  const workerId = options.workerId ?? job.locked_by ?? 'unknown';
  const start = await startAttempt(deps, job, eventId, round, workerId);
  if (start.kind === 'missing') throw new PermanentJobError(`webhook event ${eventId} does not exist`);
  if (start.kind !== 'send') return; // already delivered, superseded by a resend, or not ours
  const secret = (await (deps.secrets ?? new AppSecrets(deps)).get(start.appId))?.secret;
  let result: PostResult;
  if (!start.url) {
    result = fixedFailure('no notify_url: set one on the order or a default on the app');
  } else if (secret === undefined) {
    result = fixedFailure(`app ${start.appId} not found`);
  } else {
    const headers = {
      ...signWebhook(secret, start.body, unixSeconds(deps.clock), randomToken(16)),
      [ATTEMPT_HEADER]: String(start.attemptNumber),
    };
    result = await postWebhook(start.url, start.body, headers, options);
  }
  const finish = await finishAttempt(deps, eventId, start, result);
  if (finish.kind === 'retry') {
    return {
      retryInMs: finish.delayMs,
      reason: `attempt ${start.attemptNumber}: ${result.error ?? `HTTP ${result.statusCode}`}`,
    };
  }
}

function fixedFailure(error: string): PostResult {
  return { acknowledged: false, statusCode: null, latencyMs: 0, excerpt: null, error };
}
