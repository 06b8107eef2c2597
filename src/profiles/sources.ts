import type { Queryable } from '../platform/db/index.js';
import type { StreamEvent } from '../platform/stream/index.js';
import type { FieldValue, ProfileEvent } from './events.js';

/**
 * Adapters from what other modules put on the stream to the one ProfileEvent the core consumes.
 * Order and refund events carry the public objects, which omit the customer and the device, so
 * the adapter reads the rows (as risk's outcome consumer does); a merchant's risk event carries
 * everything. Ids are the domain object's (`order:<id>`, `refund:<id>`), so a repeat of the same
 * fact under another stream event id is still one event.
 */

export const PROFILE_TOPICS = ['order.succeeded', 'refund.succeeded', 'refund.abnormal', 'risk.event'];

function objectId(event: StreamEvent): string | undefined {
  const data = event.payload.data as { object?: { id?: unknown } } | undefined;
  const id = data?.object?.id;
  return typeof id === 'string' ? id : undefined;
}

async function orderEvent(db: Queryable, orderId: string): Promise<ProfileEvent | undefined> {
  const order = await db
    .selectFrom('orders')
    .select(['id', 'merchant_id', 'customer_id', 'device_id', 'channel', 'pay_way', 'amount', 'paid_at'])
    .select(['channel_payer_id', 'status'])
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!order || !order.paid_at) return undefined;
  return {
    id: `order:${order.id}`,
    type: 'order.succeeded',
    at: order.paid_at.getTime(),
    merchant_id: order.merchant_id,
    customer_id: order.customer_id,
    payer_id: order.channel_payer_id,
    fields: {
      channel: order.channel,
      pay_way: order.pay_way,
      amount: order.amount,
      device_id: order.device_id,
    },
  };
}

/**
 * A refund (succeeded, or abnormal: the money left the merchant either way) is negative evidence
 * when it completes the order's refund. Whether it does is decided from the refunds counted up to
 * this one (by time, then id), so a redelivery after later refunds gives the same answer.
 */
async function refundEvent(db: Queryable, refundId: string): Promise<ProfileEvent | undefined> {
  const refund = await db
    .selectFrom('refunds as r')
    .innerJoin('orders as o', 'o.id', 'r.order_id')
    .select(['r.id', 'r.order_id', 'r.amount', 'r.succeeded_at', 'r.abnormal_at', 'r.status'])
    .select(['o.merchant_id', 'o.customer_id', 'o.device_id', 'o.channel', 'o.pay_way'])
    .select(['o.amount as order_amount', 'o.paid_at', 'o.channel_payer_id'])
    .where('r.id', '=', refundId)
    .executeTakeFirst();
  const done = refund?.succeeded_at ?? refund?.abnormal_at;
  if (!refund || !done || !refund.paid_at) return undefined;
  const siblings = await db
    .selectFrom('refunds')
    .select(['id', 'amount', 'succeeded_at', 'abnormal_at'])
    .where('order_id', '=', refund.order_id)
    .where('status', 'in', ['succeeded', 'abnormal'])
    .execute();
  const key = (r: { id: string; succeeded_at: Date | null; abnormal_at: Date | null }) =>
    [(r.succeeded_at ?? r.abnormal_at)?.getTime() ?? 0, r.id] as const;
  const [doneAt, ownId] = key(refund);
  let refunded = 0;
  for (const s of siblings) {
    const [at, id] = key(s);
    if (at < doneAt || (at === doneAt && id <= ownId)) refunded += s.amount;
  }
  return {
    id: `refund:${refund.id}`,
    type: 'refund.succeeded',
    at: done.getTime(),
    merchant_id: refund.merchant_id,
    customer_id: refund.customer_id,
    payer_id: refund.channel_payer_id,
    fields: {
      channel: refund.channel,
      pay_way: refund.pay_way,
      amount: refund.order_amount,
      device_id: refund.device_id,
      full_refund: refunded >= refund.order_amount,
      paid_at: refund.paid_at.getTime(),
    },
  };
}

/** POST /v1/risk/events: `risk.<type>`, its device and ip, attributes flattened as `attributes.<name>`. */
export function riskEvent(event: StreamEvent): ProfileEvent | undefined {
  const p = event.payload;
  if (typeof p.type !== 'string' || typeof p.merchant_id !== 'string' || typeof p.customer_id !== 'string')
    return undefined;
  const fields: Record<string, FieldValue> = {
    device_id: typeof p.device_id === 'string' ? p.device_id : null,
    ip: typeof p.ip === 'string' ? p.ip : null,
  };
  const attributes = (p.attributes ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(attributes))
    if (typeof value === 'string') fields[`attributes.${name}`] = value;
  const at = Date.parse(event.created_at);
  if (Number.isNaN(at)) return undefined;
  return {
    id: event.id,
    type: `risk.${p.type}`,
    at,
    merchant_id: p.merchant_id,
    customer_id: p.customer_id,
    payer_id: null,
    fields,
  };
}

/** The ProfileEvent a stream event is, or undefined when it is no evidence (never redeliver those). */
export async function profileEventOf(db: Queryable, event: StreamEvent): Promise<ProfileEvent | undefined> {
  if (event.topic === 'risk.event') return riskEvent(event);
  const id = objectId(event);
  if (!id) return undefined;
  if (event.topic === 'order.succeeded') return orderEvent(db, id);
  if (event.topic === 'refund.succeeded' || event.topic === 'refund.abnormal') return refundEvent(db, id);
  return undefined;
}
