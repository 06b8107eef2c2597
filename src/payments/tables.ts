import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Json, Timestamp } from '../platform/db/tables.js';

// Kysely table types for payments (orders, refunds, exceptions, channel notification log);
// merged into Tables in src/platform/db/tables.ts. Migrations 0001 and 0005 define them.

export interface OrdersTable {
  id: string;
  app_id: string;
  merchant_id: string;
  mch_order_no: string;
  amount: number;
  currency: string;
  subject: string;
  status: 'created' | 'paying' | 'succeeded' | 'failed' | 'closed';
  pay_way: string | null;
  channel: string | null;
  channel_trade_no: string | null;
  payer: Json<Record<string, string> | null> | null;
  amount_refunded: Generated<number>;
  fee: number | null;
  notify_url: string | null;
  return_url: string | null;
  store_id: string | null;
  terminal_id: string | null;
  client_ip: string | null;
  metadata: Json<Record<string, string>>;
  expires_at: Timestamp;
  paid_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  request_hash: Generated<string>;
  channel_payer_id: string | null;
  channel_action: Json<Record<string, unknown> | null> | null;
  channel_order_created_at: Timestamp | null;
  failure_code: string | null;
  failure_message: string | null;
  // risk (migration 0011): optional on insert so older writers need not name them
  customer_id: ColumnType<string | null, string | null | undefined, string | null>;
  device_id: ColumnType<string | null, string | null | undefined, string | null>;
  risk_flag: ColumnType<'review' | null, 'review' | null | undefined, 'review' | null>;
  risk_decision_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RefundsTable {
  id: string;
  order_id: string;
  app_id: string;
  merchant_id: string;
  mch_refund_no: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string | null;
  notify_url: string | null;
  request_hash: string;
  channel_refund_no: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  succeeded_at: Timestamp | null;
}

export interface PaymentExceptionsTable {
  id: string;
  order_id: string;
  kind: 'late_payment' | 'amount_mismatch';
  channel: string | null;
  channel_trade_no: string | null;
  amount: number | null;
  details: Json<Record<string, unknown>>;
  status: Generated<'open' | 'resolved'>;
  resolution: string | null;
  created_at: Timestamp;
  resolved_at: Timestamp | null;
}

export interface ChannelNotificationsTable {
  id: Generated<number>;
  channel: string;
  merchant_id: string;
  out_trade_no: string | null;
  kind: string | null;
  outcome: string;
  detail: string | null;
  received_at: Timestamp;
}

export interface PaymentTables {
  orders: OrdersTable;
  refunds: RefundsTable;
  payment_exceptions: PaymentExceptionsTable;
  channel_notifications: ChannelNotificationsTable;
}
