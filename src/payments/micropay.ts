import type { ChannelId, PaymentStatus } from '../channels/channel.js';
import { ChannelError, PAY_WAY_CHANNEL } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import { ApiError } from '../core/errors.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { enqueue } from '../platform/jobs/index.js';
import { channelNotifyUrl, channelOrderFor, facts } from './channel-calls.js';
import { createOrder, type NewOrder, type OrderOwner } from './create-order.js';
import { isFinal } from './order-machine.js';
import { lockOrder, transitionLocked, transitionOrder, type TransitionDeps } from './order-transitions.js';
import type { OrderRow } from './order-view.js';
import { payWayOfCode } from './payment-codes.js';
import { reverseOf } from './reverse-rows.js';
import { applyReverseResult, beginReverse, noteReverseError, reverseRequestOf } from './reverses.js';
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

/**
 * A query that did not answer, or was refused, says nothing about the customer's money: the code
 * may have been charged. Unknown, so: keep asking while the customer may be typing, then reverse.
 */
function queryUnknown(error: unknown): PaymentStatus {
  if (error instanceof ChannelError)
    return { state: 'user_paying', code: error.channelCode ?? error.kind, message: error.message };
  throw error;
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
  const { versionId, config } = await deps.channels.snapshot(order.merchant_id, channel.id);
  const startedAt = deps.clock.nowMs();

  // Record the attempt before calling the channel, so a crash leaves an order the job settles.
  const paying = await inTransaction(db, async (tx) => {
    await lockOrder(tx, order.id);
    await tx
      .updateTable('orders')
      .set({
        channel: channel.id,
        channel_config_version_id: versionId,
        channel_notify_url: channelNotifyUrl(deps.publicUrl, channel.id, order.merchant_id),
        channel_order_created_at: deps.clock.now(),
        updated_at: deps.clock.now(),
      })
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
    status = await channel.query(config, channelOrderFor(current, deps.publicUrl)).catch(queryUnknown);
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

/**
 * The settle job: past the deadline, a last query; if the payment is still open (or the query
 * cannot tell), reverse it at the channel, as an operation of its own (reverses.ts) that is asked
 * again until the channel gives its outcome. A refused reverse leaves the payment as it stands:
 * the order then ends as the channel's query says.
 */
export async function settleMicropay(
  db: Db,
  deps: TransitionDeps & { channels: ChannelRegistry },
  orderId: string,
): Promise<'final' | 'retry'> {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  if (!order || !order.channel) return 'final';
  let reverse = await reverseOf(db, order.id);
  if (isFinal(order.status) && reverse?.status !== 'pending') return 'final';
  const channel = deps.channels.adapter(order.channel as ChannelId);
  const config = await deps.channels.configOf(order, channel.id);
  const report = async (status: PaymentStatus) =>
    (
      await transitionOrder(
        db,
        order.id,
        { type: 'channel_reported', state: status.state, amount: status.amount },
        facts(order, status),
        deps,
      )
    ).order;
  const asTheChannelSays = async () => {
    const after = await report(await channel.query(config, channelOrderFor(order, deps.publicUrl)));
    return isFinal(after.status) ? ('final' as const) : ('retry' as const);
  };

  if (reverse?.status === 'failed') return asTheChannelSays();
  if (!reverse) {
    const status = await channel.query(config, channelOrderFor(order, deps.publicUrl)).catch(queryUnknown);
    if (isFinal((await report(status)).status)) return 'final';
    reverse = await beginReverse(db, order, deps.clock);
    if (!reverse) return 'final'; // finished meanwhile (a notification)
  }
  if (reverse.status === 'succeeded') return 'final';
  let result;
  try {
    result = await channel.reverse(config, reverseRequestOf(order, reverse, deps.publicUrl));
  } catch (error) {
    await noteReverseError(db, order.id, error, deps.clock);
    throw error;
  }
  const row = await applyReverseResult(db, order.id, result, deps);
  if (row.status === 'pending') return 'retry';
  if (row.status === 'succeeded') return 'final';
  return asTheChannelSays();
}
