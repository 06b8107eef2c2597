import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Db } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { consumeOnce } from '../platform/outbox/index.js';
import type { Stream, StreamEvent, Subscription } from '../platform/stream/index.js';
import { applyAutoRules, refundOutcome, saveOutcome } from './outcomes.js';
import { countOutcome, paymentOutcome, refundCounted } from './outcome-counters.js';
import { LISTS_MAP } from './shared-state.js';

/** What the risk module emits on the stream and what it consumes. */

/** Emitted: merchant-side events from POST /v1/risk/events (for counters and profiles). */
export const RISK_EVENT_TOPIC = 'risk.event';
/** Consumed: refunds that succeeded feed the automatic list rules and the `refunded` counters. */
export const OUTCOMES_CONSUMER = 'risk_outcomes';
export const OUTCOME_TOPICS = 'refund.succeeded';
/** Consumed: payments that succeeded feed the `succeeded` counters (near-real-time tier). */
export const PAYMENTS_CONSUMER = 'risk_payment_outcomes';
export const PAYMENT_TOPICS = 'order.succeeded';

export interface OutcomeConsumerDeps {
  db: Db;
  cache: Cache;
  clock: Clock;
  logger: Logger;
}

/**
 * Applies one outcome event: records the outcome (once, by event id and by refund id) and
 * recomputes that payer's automatic entries, then publishes them to the shared lists. Safe to
 * receive again: a redelivery changes nothing.
 */
export async function applyOutcomeEvent(deps: OutcomeConsumerDeps, event: StreamEvent): Promise<void> {
  const data = event.payload.data as { object?: { id?: string } } | undefined;
  const refundId = data?.object?.id;
  if (typeof refundId !== 'string') return;
  let changes: Record<string, string | null> = {};
  await consumeOnce(
    deps.db,
    OUTCOMES_CONSUMER,
    event,
    async (tx) => {
      const outcome = await refundOutcome(tx, refundId);
      if (!outcome) return;
      await saveOutcome(tx, outcome);
      changes = await applyAutoRules(tx, outcome.subject);
    },
    deps.clock,
  );
  if (Object.keys(changes).length > 0) await deps.cache.mapWrite(LISTS_MAP, changes);
  const counted = await refundCounted(deps.db, refundId);
  if (counted) await countOutcome(deps.cache, counted, deps.clock.nowMs());
}

/** Adds a payment that succeeded to its subjects' `succeeded` windows; a redelivery changes nothing. */
export async function applyPaymentEvent(deps: OutcomeConsumerDeps, event: StreamEvent): Promise<void> {
  const data = event.payload.data as { object?: { id?: string } } | undefined;
  const orderId = data?.object?.id;
  if (typeof orderId !== 'string') return;
  const counted = await paymentOutcome(deps.db, orderId);
  if (counted) await countOutcome(deps.cache, counted, deps.clock.nowMs());
}

/** The durable consumers (NATS JetStream in production), started by `start` and `worker`. */
export async function riskStreamConsumers(deps: OutcomeConsumerDeps, stream: Stream): Promise<Subscription> {
  const refunds = await stream.subscribe(OUTCOMES_CONSUMER, OUTCOME_TOPICS, (event) =>
    applyOutcomeEvent(deps, event),
  );
  const payments = await stream.subscribe(PAYMENTS_CONSUMER, PAYMENT_TOPICS, (event) =>
    applyPaymentEvent(deps, event),
  );
  return { stop: async () => void (await Promise.all([refunds.stop(), payments.stop()])) };
}
