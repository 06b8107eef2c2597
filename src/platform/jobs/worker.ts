import { hostname } from 'node:os';
import { randomToken } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { Queryable } from '../db/index.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Backoff } from './backoff.js';
import { claim, complete, fail, type FailOptions, type FailOutcome, type Job } from './queue.js';

/**
 * Runs due jobs through their queue's handler. A handler that resolves completes the job; one that
 * throws fails it (retried with backoff until max_attempts). A handler may ask for a specific
 * delay by returning `{ retryInMs }` (e.g. "still paying, ask again in 5 s") or throwing RetryJob;
 * either way it used up an attempt, so max_attempts also bounds how long a job keeps polling.
 */

export interface RetryRequest {
  retryInMs: number;
  reason?: string;
}

export type JobHandler = (job: Job) => Promise<void | RetryRequest>;

/** A handler with its own retry schedule instead of the default backoff. */
export interface QueueHandler {
  handle: JobHandler;
  backoff?: Backoff;
}

export type Handlers = Record<string, JobHandler | QueueHandler>;

/** Throw from a handler to retry after an explicit delay. */
export class RetryJob extends Error {
  constructor(
    readonly retryInMs: number,
    message = `retry requested in ${retryInMs} ms`,
  ) {
    super(message);
    this.name = 'RetryJob';
  }
}

/** Throw from a handler when retrying cannot help (bad payload, object gone): fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface RunOptions {
  workerId: string;
  /** most jobs claimed per round */
  limit: number;
  /** how long a claim is exclusive; longer than the slowest handler should take */
  leaseMs: number;
  /** default: every queue in handlers */
  queues?: readonly string[];
}

export interface RunCounts {
  claimed: number;
  done: number;
  retried: number;
  failed: number;
  /** the lease expired and another worker owns the job now; our result was discarded */
  lost: number;
}

/** Claims one batch of due jobs and runs them concurrently; never throws for a handler's error. */
export async function runDue(
  db: Queryable,
  handlers: Handlers,
  options: RunOptions,
  clock: Clock,
): Promise<RunCounts> {
  const queues = options.queues ?? Object.keys(handlers);
  const jobs = await claim(
    db,
    { queues, limit: options.limit, workerId: options.workerId, leaseMs: options.leaseMs },
    clock,
  );
  const counts: RunCounts = { claimed: jobs.length, done: 0, retried: 0, failed: 0, lost: 0 };
  // allSettled: wait for every handler even if recording one result failed, so stop() is honest
  const settled = await Promise.allSettled(jobs.map((job) => runOne(db, handlers, job, clock)));
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    const outcome = s.value;
    if (outcome === 'done') counts.done++;
    else if (outcome === 'retry') counts.retried++;
    else if (outcome === 'failed') counts.failed++;
    else counts.lost++;
  }
  return counts;
}

async function runOne(
  db: Queryable,
  handlers: Handlers,
  job: Job,
  clock: Clock,
): Promise<'done' | FailOutcome> {
  const entry = Object.hasOwn(handlers, job.queue) ? handlers[job.queue] : undefined;
  if (!entry) {
    // may be a rolling deploy where this version lacks the queue: retry, so a newer worker can take it
    return fail(db, job, new Error(`no handler for queue "${job.queue}"`), clock);
  }
  const handle = typeof entry === 'function' ? entry : entry.handle;
  const backoff = typeof entry === 'function' ? undefined : entry.backoff;
  let result: void | RetryRequest;
  try {
    result = await handle(job);
  } catch (error) {
    return fail(db, job, error, clock, failOptions(error, backoff));
  }
  if (result && typeof result.retryInMs === 'number') {
    const reason = result.reason ?? `retry requested in ${result.retryInMs} ms`;
    return fail(db, job, reason, clock, { retryInMs: result.retryInMs });
  }
  return (await complete(db, job, clock)) ? 'done' : 'lost';
}

function failOptions(error: unknown, backoff: Backoff | undefined): FailOptions {
  if (error instanceof RetryJob) return { retryInMs: error.retryInMs };
  if (error instanceof PermanentJobError) return { permanent: true };
  return backoff ? { backoff } : {};
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomToken(6)}`;
}

export interface WorkerOptions extends Partial<RunOptions> {
  /** default 500 ms */
  pollMs?: number;
  logger?: Logger;
}

export interface Worker {
  workerId: string;
  /** stops polling and resolves once the jobs in hand have finished (graceful shutdown) */
  stop(): Promise<void>;
}

/**
 * Polls for due jobs every pollMs. A full batch is followed at once by another round, so a backlog
 * drains without waiting for the timer; rounds never overlap within one worker.
 */
export function startWorker(db: Queryable, handlers: Handlers, options: WorkerOptions, clock: Clock): Worker {
  const run: RunOptions = {
    workerId: options.workerId ?? defaultWorkerId(),
    limit: options.limit ?? 10,
    leaseMs: options.leaseMs ?? 60_000,
    ...(options.queues ? { queues: options.queues } : {}),
  };
  const logger = options.logger ?? silentLogger;
  let stopping = false;
  let inFlight: Promise<void> | undefined;

  const round = async () => {
    try {
      while (!stopping) {
        const counts = await runDue(db, handlers, run, clock);
        if (counts.lost > 0 || counts.failed > 0)
          logger.warn({ worker: run.workerId, ...counts }, 'job round');
        if (counts.claimed < run.limit) break;
      }
    } catch (error) {
      // the database may be briefly unreachable; the next tick tries again
      logger.error({ err: error, worker: run.workerId }, 'job round failed');
    }
  };

  const tick = () => {
    if (stopping || inFlight) return;
    inFlight = round().finally(() => (inFlight = undefined));
  };

  const timer = setInterval(tick, options.pollMs ?? 500);
  tick();

  return {
    workerId: run.workerId,
    async stop() {
      stopping = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
