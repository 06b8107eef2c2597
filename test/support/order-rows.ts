import type { Insertable } from 'kysely';
import type { OrdersTable, RefundsTable } from '../../src/payments/tables.js';

/**
 * A succeeded WeChat JSAPI order as a row, for tests that feed what follows a payment (risk
 * counters, lists) without paying through a channel; `row` names what the test cares about.
 */
export function succeededOrderRow(
  row: Pick<
    Insertable<OrdersTable>,
    'id' | 'app_id' | 'merchant_id' | 'mch_order_no' | 'amount' | 'channel_trade_no' | 'payer'
  > &
    Partial<Insertable<OrdersTable>> & { at: Date },
): Insertable<OrdersTable> {
  const { at, ...fields } = row;
  return {
    currency: 'CNY',
    subject: 's',
    status: 'succeeded',
    pay_way: 'wechat_jsapi',
    channel: 'wechatpay',
    fee: null,
    notify_url: null,
    return_url: null,
    store_id: null,
    terminal_id: null,
    client_ip: null,
    metadata: '{}',
    expires_at: at,
    paid_at: at,
    created_at: at,
    updated_at: at,
    channel_payer_id: null,
    channel_action: null,
    channel_order_created_at: null,
    failure_code: null,
    failure_message: null,
    ...fields,
  };
}

/** A succeeded refund of an order, as a row (see succeededOrderRow). */
export function succeededRefundRow(
  row: Pick<
    Insertable<RefundsTable>,
    'id' | 'order_id' | 'app_id' | 'merchant_id' | 'mch_refund_no' | 'amount'
  > & {
    at: Date;
  },
): Insertable<RefundsTable> {
  const { at, ...fields } = row;
  return {
    ...fields,
    status: 'succeeded',
    reason: null,
    notify_url: null,
    request_hash: 'h',
    channel_refund_no: null,
    failure_code: null,
    failure_message: null,
    created_at: at,
    updated_at: at,
    succeeded_at: at,
  };
}
