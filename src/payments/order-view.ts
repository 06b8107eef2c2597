import type { Selectable } from 'kysely';
import type { OrdersTable } from './tables.js';

export type OrderRow = Selectable<OrdersTable>;

/** The public order object of CONTRACT §2, from a row. Pure. */
export function toOrderObject(row: OrderRow, publicUrl: string) {
  const cashierUrl = `${publicUrl}/pay/${row.id}`;
  // A way the customer scans directly (WeChat Native, Alipay precreate) shows the channel's code.
  const action = row.channel_action as { type?: string; code_url?: string } | null;
  const qrCode = action?.type === 'qr_code' && action.code_url ? action.code_url : cashierUrl;
  return {
    object: 'order' as const,
    id: row.id,
    app_id: row.app_id,
    merchant_id: row.merchant_id,
    mch_order_no: row.mch_order_no,
    amount: row.amount,
    currency: row.currency,
    subject: row.subject,
    status: row.status,
    pay_way: row.pay_way,
    channel: row.channel,
    channel_trade_no: row.channel_trade_no,
    payer: row.payer ?? null,
    amount_refunded: row.amount_refunded,
    fee: row.fee,
    cashier_url: cashierUrl,
    qr_code: qrCode,
    expires_at: row.expires_at.toISOString(),
    paid_at: row.paid_at ? row.paid_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    metadata: row.metadata ?? {},
  };
}
