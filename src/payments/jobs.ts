import type { ChannelId } from '../channels/channel.js';
import { ChannelError } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../platform/db/index.js';
import { enqueue, type Handlers, type Job, RetryJob } from '../platform/jobs/index.js';
import { channelOrderFor, facts } from './channel-calls.js';
import { closeOrder } from './close-order.js';
import { EXPIRE_QUEUE } from './create-order.js';
import { isFinal } from './order-machine.js';
import { transitionOrder } from './order-transitions.js';
import { REFUND_QUEUE, syncRefund } from './refunds.js';
import { MICROPAY_SETTLE_QUEUE, settleMicropay } from './micropay.js';
import { pollDelayMs, refundQueryDelayMs } from './schedules.js';

export const POLL_QUEUE = 'order_poll';

export interface PaymentJobDeps {
  db: Db;
  clock: Clock;
  publicUrl: string;
  channels: ChannelRegistry;
}

/** Schedules poll number n of a paying order (in the caller's transaction when given one). */
export function schedulePoll(db: Db, orderId: string, n: number, clock: Clock): Promise<string> {
  return enqueue(
    db,
    {
      queue: POLL_QUEUE,
      payload: { order_id: orderId, n },
      runAt: new Date(clock.nowMs() + pollDelayMs(n)),
      dedupeKey: `poll:${orderId}:${n}`,
    },
    clock,
  );
}

function orderIdOf(job: Job): string {
  const id = (job.payload as { order_id?: unknown }).order_id;
  if (typeof id !== 'string') throw new Error(`job ${job.id} has no order_id`);
  return id;
}

/** Retry the job later when the channel could not answer; a refusal is final. */
function retryOnChannelTrouble(error: unknown, delayMs: number): never {
  if (error instanceof ChannelError && error.retryable) throw new RetryJob(delayMs, error.message);
  throw error;
}

export function paymentJobHandlers(deps: PaymentJobDeps): Handlers {
  const { db, clock } = deps;
  return {
    /** An order past its expiry: closed at the channel first; a payment found there wins. */
    [EXPIRE_QUEUE]: async (job) => {
      const order = await db
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', orderIdOf(job))
        .executeTakeFirst();
      if (!order || isFinal(order.status)) return;
      const due = order.expires_at.getTime() - clock.nowMs();
      if (due > 0) return { retryInMs: due, reason: 'not yet expired' };
      try {
        await closeOrder(db, order, deps, 'expired');
      } catch (error) {
        retryOnChannelTrouble(error, 30_000);
      }
    },

    /** A paying order: ask the channel, apply what it says, and come back until it is final. */
    [POLL_QUEUE]: async (job) => {
      const n = Number((job.payload as { n?: unknown }).n ?? 1);
      const order = await db
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', orderIdOf(job))
        .executeTakeFirst();
      if (!order || isFinal(order.status) || !order.channel) return;
      const channel = deps.channels.adapter(order.channel as ChannelId);
      try {
        const status = await channel.query(
          await deps.channels.configOf(order, channel.id),
          channelOrderFor(order, deps.publicUrl),
        );
        const { order: after } = await transitionOrder(
          db,
          order.id,
          { type: 'channel_reported', state: status.state, amount: status.amount },
          facts(order, status),
          deps,
        );
        if (isFinal(after.status) || clock.nowMs() > after.expires_at.getTime()) return; // expiry takes over
      } catch (error) {
        if (!(error instanceof ChannelError && error.retryable)) throw error;
      }
      await schedulePoll(db, order.id, n + 1, clock);
    },

    /** A payment-code attempt past its deadline: query once more, else reverse it. */
    [MICROPAY_SETTLE_QUEUE]: async (job) => {
      let outcome;
      try {
        outcome = await settleMicropay(db, deps, orderIdOf(job));
      } catch (error) {
        retryOnChannelTrouble(error, 10_000);
      }
      if (outcome === 'retry') return { retryInMs: 10_000, reason: 'the channel asked to retry the reverse' };
    },

    /**
     * Queries a refund until it settles; one the channel does not know (its submit never left, or
     * was lost) is submitted then, with the request fixed at creation. It never submits blind: the
     * API submits at once, and a second submit racing it from another node would be a conflicting
     * reuse of the refund number if anything in it differed.
     */
    [REFUND_QUEUE]: async (job) => {
      const refundId = (job.payload as { refund_id: string }).refund_id;
      let state;
      try {
        state = await syncRefund(db, refundId, deps, false);
      } catch (error) {
        retryOnChannelTrouble(error, refundQueryDelayMs(job.attempts));
      }
      if (state === 'pending')
        return { retryInMs: refundQueryDelayMs(job.attempts), reason: 'refund pending at the channel' };
    },
  };
}
