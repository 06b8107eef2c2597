import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Json, Timestamp } from '../platform/db/tables.js';

// Kysely table types for payments (orders, refunds, exceptions, channel notification log);
// merged into Tables (platform/db/tables.ts) below. Migrations 0001 and 0005 define them.

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
  /** the channel identity the channel order was opened with (channel_config_versions.id) */
  channel_config_version_id: Generated<string | null>;
  /** the notify / return URLs sent with the channel order: every resend sends the same */
  channel_notify_url: Generated<string | null>;
  channel_return_url: Generated<string | null>;
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
  status: 'pending' | 'succeeded' | 'failed' | 'abnormal';
  reason: string | null;
  notify_url: string | null;
  request_hash: string;
  channel_refund_no: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  succeeded_at: Timestamp | null;
  /** first time the channel reported it abnormal (migration 0009): counted as refunded since */
  abnormal_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  abnormal_applied_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  abnormal_target: Generated<'USER_BANK_CARD' | 'MERCHANT_BANK_CARD' | null>;
  /** the order's channel identity, copied when the refund was created */
  channel_config_version_id: Generated<string | null>;
  /** the notify URL fixed when the refund was created: every submit sends the same */
  channel_notify_url: Generated<string | null>;
  /** the part of the order's fee this refund returned (migration 0010, set when it succeeds) */
  fee_refunded: Generated<number | null>;
  /** 'review' when the risk engine let the refund through flagged (migration 0017) */
  risk_flag: ColumnType<'review' | null, 'review' | null | undefined, 'review' | null>;
  risk_decision_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PaymentExceptionsTable {
  id: string;
  order_id: string;
  kind: 'late_payment' | 'amount_mismatch' | 'refunded_at_channel';
  channel: string | null;
  channel_trade_no: string | null;
  amount: number | null;
  details: Json<Record<string, unknown>>;
  status: Generated<'open' | 'resolved'>;
  resolution: string | null;
  created_at: Timestamp;
  resolved_at: Timestamp | null;
}

/** A reverse (撤销) of a payment-code order: one per order (migration 0008). */
export interface OrderReversesTable {
  order_id: string;
  channel: string;
  /** succeeded = the channel confirmed it; failed = the channel refused it (the payment stands) */
  status: 'pending' | 'succeeded' | 'failed';
  action: 'close' | 'refund' | null;
  /** fixed when the reverse was decided; every attempt resends it (UnionPay cancel txnTime) */
  requested_at: Timestamp;
  attempts: Generated<number>;
  last_attempt_at: Timestamp | null;
  channel_reverse_no: string | null;
  result_code: string | null;
  result_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  confirmed_at: Timestamp | null;
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
  order_reverses: OrderReversesTable;
  channel_notifications: ChannelNotificationsTable;
}

// Registers these tables in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports a domain module.
declare module '../platform/db/tables.js' {
  interface Tables extends PaymentTables {}
}
