import type { ChannelId, PaymentStatus } from '../channels/channel.js';
import { ChannelError, PAY_WAY_CHANNEL } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import { ApiError } from '../core/errors.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { enqueue } from '../platform/jobs/index.js';
import { channelOrderFor, facts } from './channel-calls.js';
import { createOrder, type NewOrder, type OrderOwner } from './create-order.js';
import { isFinal } from './order-machine.js';
import { lockOrder, transitionLocked, transitionOrder, type TransitionDeps } from './order-transitions.js';
import type { OrderRow } from './order-view.js';
import { payWayOfCode } from './payment-codes.js';
import { MICROPAY_DEADLINE_MS, MICROPAY_POLL_MS } from './schedules.js';
import type { PaymentRiskCheck } from '../risk/index.js';

/**
 * Passive scan (B scans C): route the payment code by prefix, charge it, and while the customer
 * types the password poll the channel; give the merchant an answer within the deadline. What is
 * still open then is settled by the `micropay_settle` job: a last query, else a reverse (撤销).
 */

export const MICROPAY_SETTLE_QUEUE = 'micropay_settle';
/** the HTTP answer comes before the settle job's deadline, so the two never race for the end */
const ANSWER_WITHIN_MS = MICROPAY_DEADLINE_MS - 5_000;

export interface MicropayDeps extends TransitionDeps {
  channels: ChannelRegistry;
  sleep: (ms: number) => Promise<void>;
  /** scene `payment` before the code is charged */
  risk?: PaymentRiskCheck | undefined;
}

function unknownOn(error: unknown): PaymentStatus {
  // A timeout or system error leaves the outcome unknown: treat it as still paying and ask again.
  if (error instanceof ChannelError && error.retryable)
    return { state: 'user_paying', code: error.kind, message: error.message };
  if (error instanceof ChannelError)
    return { state: 'failed', code: error.channelCode ?? error.kind, message: error.message };
  throw error;
}

export async function micropay(
  db: Db,
  deps: MicropayDeps,
  owner: OrderOwner,
  input: NewOrder & { auth_code: string },
): Promise<{ order: OrderRow; created: boolean }> {
  const payWay = payWayOfCode(input.auth_code);
  if (!payWay)
    throw new ApiError(
      'parameter_invalid',
      'auth_code is not a payment code of a supported wallet',
      'auth_code',
    );
  const { auth_code: authCode, ...orderInput } = input;
  const { order, created } = await createOrder(
    db,
    owner,
    { ...orderInput, pay_way: payWay },
    deps.clock,
    deps.risk,
  );
  if (!created) return { order, created }; // a repeat never charges the code again
  const channel = deps.channels.adapter(PAY_WAY_CHANNEL[payWay]);
  const config = await deps.channels.config(order.merchant_id, channel.id);
  const startedAt = deps.clock.nowMs();

  // Record the attempt before calling the channel, so a crash leaves an order the job settles.
  const paying = await inTransaction(db, async (tx) => {
    await lockOrder(tx, order.id);
    await tx
      .updateTable('orders')
      .set({ channel: channel.id, channel_order_created_at: deps.clock.now(), updated_at: deps.clock.now() })
      .where('id', '=', order.id)
      .execute();
    await enqueue(
      tx,
      {
        queue: MICROPAY_SETTLE_QUEUE,
        payload: { order_id: order.id },
        runAt: new Date(startedAt + MICROPAY_DEADLINE_MS),
        maxAttempts: 50,
        dedupeKey: `settle:${order.id}`,
      },
      deps.clock,
    );
    return (await transitionLocked(tx, order.id, { type: 'channel_order_created' }, {}, deps)).order;
  });

  let status = await channel
    .payByCode(config, channelOrderFor(paying, deps.publicUrl), authCode)
    .catch(unknownOn);
  let current = (
    await transitionOrder(
      db,
      order.id,
      { type: 'channel_reported', state: status.state, amount: status.amount },
      facts(paying, status),
      deps,
    )
  ).order;
  while (!isFinal(current.status) && deps.clock.nowMs() - startedAt + MICROPAY_POLL_MS <= ANSWER_WITHIN_MS) {
    await deps.sleep(MICROPAY_POLL_MS);
    status = await channel.query(config, channelOrderFor(current, deps.publicUrl)).catch(unknownOn);
    current = (
      await transitionOrder(
        db,
        order.id,
        { type: 'channel_reported', state: status.state, amount: status.amount },
        facts(current, status),
        deps,
      )
    ).order;
  }
  return { order: current, created: true };
}

/** The settle job: past the deadline, a last query; if still open, reverse it at the channel. */
export async function settleMicropay(
  db: Db,
  deps: TransitionDeps & { channels: ChannelRegistry },
  orderId: string,
): Promise<'final' | 'retry'> {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  if (!order || isFinal(order.status) || !order.channel) return 'final';
  const channel = deps.channels.adapter(order.channel as ChannelId);
  const config = await deps.channels.config(order.merchant_id, channel.id);
  const status = await channel.query(config, channelOrderFor(order, deps.publicUrl));
  const { order: after } = await transitionOrder(
    db,
    order.id,
    { type: 'channel_reported', state: status.state, amount: status.amount },
    facts(order, status),
    deps,
  );
  if (isFinal(after.status)) return 'final';
  const { done } = await channel.reverse(config, channelOrderFor(after, deps.publicUrl));
  if (!done) return 'retry';
  await transitionOrder(db, order.id, { type: 'closed_at_channel' }, facts(after, { state: 'closed' }), deps);
  return 'final';
}
