import { createHash } from 'node:crypto';
import type { PayWay } from '../channels/channel.js';
import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { enqueue } from '../platform/jobs/index.js';
import type { OrderRow } from './order-view.js';
import { assertMerchantCanTransact } from '../merchants/index.js';
import type { PaymentRiskCheck } from '../risk/index.js';
import { PAY_WAY_CHANNEL } from '../channels/channel.js';

/** Creating an order: validated input in, one row out, idempotent by (app, mch_order_no). */

export const DEFAULT_EXPIRES_IN_S = 900;
export const EXPIRE_QUEUE = 'order_expire';

export interface NewOrder {
  mch_order_no: string;
  amount: number;
  subject: string;
  notify_url?: string | undefined;
  return_url?: string | undefined;
  expires_in?: number | undefined;
  pay_way?: PayWay | undefined;
  store_id?: string | undefined;
  terminal_id?: string | undefined;
  client_ip?: string | undefined;
  customer_id?: string | undefined;
  device_id?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface OrderOwner {
  appId: string;
  merchantId: string;
}

/** Stable hash of what the merchant asked for, to tell a repeat from a conflicting reuse. */
export function orderRequestHash(input: NewOrder): string {
  const canonical = {
    amount: input.amount,
    subject: input.subject,
    notify_url: input.notify_url ?? null,
    return_url: input.return_url ?? null,
    expires_in: input.expires_in ?? DEFAULT_EXPIRES_IN_S,
    pay_way: input.pay_way ?? null,
    store_id: input.store_id ?? null,
    terminal_id: input.terminal_id ?? null,
    metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    // only when sent, so orders made before these fields existed keep their hash
    ...(input.customer_id !== undefined ? { customer_id: input.customer_id } : {}),
    ...(input.device_id !== undefined ? { device_id: input.device_id } : {}),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * Creates the order, or returns the one this app already made with this mch_order_no:
 * `created: false` for an identical repeat, 409 for the same number with other parameters.
 * Concurrent duplicates meet at the unique index, so exactly one row is ever written.
 */
export async function createOrder(
  db: Db,
  owner: OrderOwner,
  input: NewOrder,
  clock: Clock,
  risk?: PaymentRiskCheck,
): Promise<{ order: OrderRow; created: boolean }> {
  const hash = orderRequestHash(input);
  await assertMerchantCanTransact(db, owner.merchantId);
  if (input.store_id) await assertStoreOfMerchant(db, owner.merchantId, input.store_id);
  // Scene `payment`, before anything is written: a refused order never exists.
  const verdict = risk
    ? await risk({
        appId: owner.appId,
        merchantId: owner.merchantId,
        mchOrderNo: input.mch_order_no,
        amount: input.amount,
        channel: input.pay_way ? PAY_WAY_CHANNEL[input.pay_way] : undefined,
        customerId: input.customer_id,
        deviceId: input.device_id,
        clientIp: input.client_ip,
      })
    : undefined;
  if (verdict?.decision === 'reject') {
    const existing = await findOrder(db, owner.appId, input.mch_order_no);
    if (!existing) throw new ApiError('risk_rejected', 'the risk engine refused this payment');
  }
  const now = clock.now();
  const inserted = await inTransaction(db, async (tx) => {
    const row = await tx
      .insertInto('orders')
      .values({
        id: newId('order', clock.nowMs()),
        app_id: owner.appId,
        merchant_id: owner.merchantId,
        mch_order_no: input.mch_order_no,
        amount: input.amount,
        currency: 'CNY',
        subject: input.subject,
        status: 'created',
        pay_way: input.pay_way ?? null,
        channel: null,
        channel_trade_no: null,
        payer: null,
        fee: null,
        notify_url: input.notify_url ?? null,
        return_url: input.return_url ?? null,
        store_id: input.store_id ?? null,
        terminal_id: input.terminal_id ?? null,
        client_ip: input.client_ip ?? null,
        customer_id: input.customer_id ?? null,
        device_id: input.device_id ?? null,
        risk_flag: verdict?.decision === 'review' ? 'review' : null,
        risk_decision_id: verdict?.id ?? null,
        metadata: JSON.stringify(input.metadata ?? {}),
        expires_at: new Date(clock.nowMs() + (input.expires_in ?? DEFAULT_EXPIRES_IN_S) * 1000),
        paid_at: null,
        created_at: now,
        updated_at: now,
        request_hash: hash,
        channel_payer_id: null,
        channel_action: null,
        channel_order_created_at: null,
        failure_code: null,
        failure_message: null,
      })
      .onConflict((oc) => oc.columns(['app_id', 'mch_order_no']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) {
      await enqueue(
        tx,
        {
          queue: EXPIRE_QUEUE,
          payload: { order_id: row.id },
          runAt: row.expires_at,
          maxAttempts: 100,
          dedupeKey: `expire:${row.id}`,
        },
        clock,
      );
    }
    return row;
  });
  if (inserted) return { order: inserted, created: true };
  const existing = await findOrder(db, owner.appId, input.mch_order_no);
  if (!existing) throw new Error(`order ${input.mch_order_no} vanished after a conflict`);
  if (existing.request_hash !== hash) {
    throw new ApiError(
      'idempotency_error',
      `mch_order_no ${input.mch_order_no} was already used with other parameters`,
      'mch_order_no',
    );
  }
  return { order: existing, created: false };
}

function findOrder(db: Db, appId: string, mchOrderNo: string): Promise<OrderRow | undefined> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('app_id', '=', appId)
    .where('mch_order_no', '=', mchOrderNo)
    .executeTakeFirst();
}

async function assertStoreOfMerchant(db: Db, merchantId: string, storeId: string): Promise<void> {
  const store = await db
    .selectFrom('stores')
    .select('id')
    .where('id', '=', storeId)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
  if (!store) throw new ApiError('resource_missing', `no store ${storeId} for this merchant`, 'store_id');
}
