import { sql } from 'kysely';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Tx } from '../platform/db/index.js';
import { enqueue } from '../platform/jobs/index.js';
import { writeEvent } from '../platform/outbox/index.js';

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

/** Takes the next sequence number of an object; concurrent callers queue on the counter row. */
async function nextSequence(tx: Tx, objectId: string): Promise<number> {
  const row = await tx
    .insertInto('webhook_sequences')
    .values({ object_id: objectId, last_sequence: 1 })
    .onConflict((oc) =>
      oc.column('object_id').doUpdateSet({ last_sequence: sql<number>`webhook_sequences.last_sequence + 1` }),
    )
    .returning('last_sequence')
    .executeTakeFirstOrThrow();
  return row.last_sequence;
}

/**
 * Records an event in the caller's transaction: the events row with the object's next sequence,
 * the outbox message (topic = event type) for the stream's consumers, and the first delivery job.
 */
export async function recordEvent(tx: Tx, input: NewWebhookEvent, clock: Clock): Promise<WebhookEvent> {
  if (!isWebhookEventType(input.type))
    throw new TypeError(`unknown webhook event type ${String(input.type)}`);
  if (!input.objectId) throw new TypeError('a webhook event needs the object id');
  const now = clock.now();
  const id = newId('event', now.getTime());
  const sequence = await nextSequence(tx, input.objectId);
  const body = eventBody(id, input.type, now, sequence, input.object);
  await tx
    .insertInto('webhook_events')
    .values({
      id,
      app_id: input.appId,
      merchant_id: input.merchantId,
      type: input.type,
      object_type: input.objectType,
      object_id: input.objectId,
      sequence,
      body,
      notify_url: input.notifyUrl ?? null,
      status: 'pending',
      next_attempt_at: now,
      created_at: now,
    })
    .execute();
  const event = JSON.parse(body) as WebhookEvent;
  await writeEvent(
    tx,
    {
      topic: input.type,
      payload: { ...event, app_id: input.appId, merchant_id: input.merchantId },
    },
    clock,
  );
  await enqueue(
    tx,
    {
      queue: WEBHOOK_QUEUE,
      payload: { event_id: id, round: 1 },
      runAt: now,
      maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS,
      dedupeKey: deliveryJobKey(id, 1),
    },
    clock,
  );
  return event;
}
