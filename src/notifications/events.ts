import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Tx } from '../platform/db/index.js';
import { newJobRow } from '../platform/jobs/index.js';
import { outboxKey } from '../platform/outbox/index.js';

/**
 * The emitter: payments (orders, refunds) call recordEvent inside the transaction that changes
 * the object's state, so the event, its stream message and its first delivery job commit with
 * that change or not at all.
 */

export const WEBHOOK_EVENT_TYPES = [
  'order.succeeded',
  'order.closed',
  'order.failed',
  'refund.succeeded',
  'refund.failed',
  'refund.abnormal', // the money left the merchant but the customer's account could not take it
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_QUEUE = 'webhook';
/** Each round ends itself after 16 attempts; the job's own limit only guards against a loop. */
export const WEBHOOK_JOB_MAX_ATTEMPTS = 1_000;

/** The JSON a merchant receives (CONTRACT §2). */
export interface WebhookEvent {
  id: string;
  object: 'event';
  type: WebhookEventType;
  created_at: string;
  sequence: number;
  data: { object: Record<string, unknown> };
}

export interface NewWebhookEvent {
  appId: string;
  merchantId: string;
  type: WebhookEventType;
  /** 'order' | 'refund' */
  objectType: string;
  objectId: string;
  /** the public object as the API shows it, at this state */
  object: Record<string, unknown>;
  /** the object's own notify_url; null/undefined: the app's default at delivery time */
  notifyUrl?: string | null;
}

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

export function deliveryJobKey(eventId: string, round: number): string {
  return `webhook:${eventId}:${round}`;
}

/** Builds the event JSON. Pure: the same inputs give the same bytes, which are what gets signed. */
export function eventBody(
  id: string,
  type: WebhookEventType,
  createdAt: Date,
  sequence: number,
  object: Record<string, unknown>,
): string {
  const event: WebhookEvent = {
    id,
    object: 'event',
    type,
    created_at: createdAt.toISOString(),
    sequence,
    data: { object },
  };
  return JSON.stringify(event);
}

/**
 * The event JSON of eventBody cut around its sequence number: prefix + n + suffix is exactly
 * eventBody(…, n, …) (JSON.stringify writes the keys in that order), so the database can splice
 * the sequence it takes into the body in the same statement. Pure.
 */
export function eventBodyParts(
  id: string,
  type: WebhookEventType,
  createdAt: Date,
  object: Record<string, unknown>,
): { prefix: string; suffix: string } {
  const head = JSON.stringify({ id, object: 'event', type, created_at: createdAt.toISOString() });
  return { prefix: `${head.slice(0, -1)},"sequence":`, suffix: `,"data":${JSON.stringify({ object })}}` };
}

/**
 * An event's writes as CTEs of one statement, not yet run: the sequence counter's upsert
 * (`webhook_seq`; concurrent callers queue on its row), the events row with the sequence spliced
 * into its body, the outbox message (topic = event type) and the first delivery job. A caller can
 * put them in its own statement (the order's UPDATE) and read `sequence` from it.
 */
export interface EventWrites {
  ctes: Array<[name: string, query: RawBuilder<unknown>]>;
  /** the sequence number taken, as an expression of the statement that runs the CTEs */
  sequence: RawBuilder<number>;
  /** the event as written, once the statement gave its sequence */
  event(sequence: number): WebhookEvent;
}

export function eventWrites(input: NewWebhookEvent, clock: Clock): EventWrites {
  if (!isWebhookEventType(input.type))
    throw new TypeError(`unknown webhook event type ${String(input.type)}`);
  if (!input.objectId) throw new TypeError('a webhook event needs the object id');
  const now = clock.now();
  const id = newId('event', now.getTime());
  const { prefix, suffix } = eventBodyParts(id, input.type, now, input.object);
  // the stream payload: the event plus the app and merchant, as {...event, app_id, merchant_id}:
  // the body without its closing brace, then these (the body is not sent twice)
  const payloadTail = `,${JSON.stringify({ app_id: input.appId, merchant_id: input.merchantId }).slice(1)}`;
  const outbox = outboxKey(input.type, clock);
  const job = newJobRow(
    {
      queue: WEBHOOK_QUEUE,
      payload: { event_id: id, round: 1 },
      runAt: now,
      maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS,
      dedupeKey: deliveryJobKey(id, 1),
    },
    clock,
  );
  const ctes: EventWrites['ctes'] = [
    [
      'webhook_seq',
      sql`(insert into webhook_sequences (object_id, last_sequence) values (${input.objectId}::text, 1)
        on conflict (object_id) do update set last_sequence = webhook_sequences.last_sequence + 1
        returning last_sequence)`,
    ],
    [
      'webhook_event',
      sql`(insert into webhook_events (id, app_id, merchant_id, type, object_type, object_id, sequence,
          body, notify_url, status, next_attempt_at, created_at)
        select ${id}::text, ${input.appId}::text, ${input.merchantId}::text, ${input.type}::text,
          ${input.objectType}::text, ${input.objectId}::text, last_sequence,
          ${prefix}::text || last_sequence::text || ${suffix}::text, ${input.notifyUrl ?? null}::text,
          'pending', ${now}::timestamptz, ${now}::timestamptz
        from webhook_seq
        returning body)`,
    ],
    [
      'webhook_outbox',
      sql`(insert into outbox (id, topic, payload, created_at)
        select ${outbox.id}::text, ${outbox.topic}::text, (left(body, -1) || ${payloadTail}::text)::jsonb,
          ${outbox.created_at}::timestamptz
        from webhook_event)`,
    ],
    [
      'webhook_delivery',
      sql`(insert into jobs (id, queue, payload, status, run_at, max_attempts, dedupe_key, created_at, updated_at)
        values (${job.id}::text, ${job.queue}::text, ${job.payload}::jsonb, ${job.status}::text,
          ${job.run_at}::timestamptz, ${job.max_attempts}::integer, ${job.dedupe_key}::text,
          ${job.created_at}::timestamptz, ${job.updated_at}::timestamptz)
        on conflict (dedupe_key) do nothing)`,
    ],
  ];
  return {
    ctes,
    sequence: sql<number>`(select last_sequence from webhook_seq)`,
    event: (sequence) => JSON.parse(`${prefix}${sequence}${suffix}`) as WebhookEvent,
  };
}

/**
 * Records an event in the caller's transaction: the events row with the object's next sequence,
 * the outbox message for the stream's consumers, and the first delivery job, in ONE statement
 * (eventWrites).
 */
export async function recordEvent(tx: Tx, input: NewWebhookEvent, clock: Clock): Promise<WebhookEvent> {
  const writes = eventWrites(input, clock);
  const ctes = writes.ctes.map(([name, query]) => sql`${sql.id(name)} as ${query}`);
  const { rows } = await sql<{ sequence: number }>`
    with ${sql.join(ctes)} select ${writes.sequence} as sequence`.execute(tx);
  return writes.event(rows[0]!.sequence);
}
