import type { Fen } from '../core/money.js';

/**
 * The channels of the installation, by id: filled in by the registry (registry.ts) from its
 * entries, by declaration merging, so the registry's one line per channel is the one list and this
 * file needs no import of it (the channel folders, which the registry imports, import this file).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by registry.ts
export interface RegisteredChannels {}

/** A channel id: a key of the registry's `CHANNEL_ENTRIES` (the runtime list: `CHANNEL_IDS`, catalog.ts). */
export type ChannelId = keyof RegisteredChannels & string;

/**
 * The one Channel interface every adapter implements (ARCHITECTURE §3). Adapters translate between
 * JuhePay's order vocabulary and a channel's protocol; they hold no business rules: what a channel
 * state means for an order is decided by each channel's status table and the pure order machine.
 * Every method may throw ChannelError; `retryable` tells the caller whether asking again can help.
 */

export type PayWay =
  | 'wechat_jsapi'
  | 'wechat_native'
  | 'wechat_micropay'
  | 'alipay_jsapi'
  | 'alipay_qr'
  | 'alipay_wap'
  | 'alipay_micropay'
  | 'unionpay_qr'
  | 'unionpay_micropay'
  | 'qqwallet_jsapi'
  | 'jdpay_h5'
  | 'baiduwallet_h5';

export const PAY_WAY_CHANNEL: Record<PayWay, ChannelId> = {
  wechat_jsapi: 'wechatpay',
  wechat_native: 'wechatpay',
  wechat_micropay: 'wechatpay',
  alipay_jsapi: 'alipay',
  alipay_qr: 'alipay',
  alipay_wap: 'alipay',
  alipay_micropay: 'alipay',
  unionpay_qr: 'unionpay',
  unionpay_micropay: 'unionpay',
  qqwallet_jsapi: 'qqwallet',
  jdpay_h5: 'jdpay',
  baiduwallet_h5: 'baiduwallet',
};

/**
 * A merchant's configuration for one channel, secrets already opened: where the channel is
 * (a real endpoint or the sandbox), the service provider's credentials, the merchant's sub-ids.
 * Each adapter reads the fields it needs and validates them (fields are channel-specific).
 */
export interface ChannelConfig {
  channel: ChannelId;
  fields: Record<string, string>;
}

/** What the channel should know about the order being paid. */
export interface ChannelOrder {
  /** our order id, used as the channel's out_trade_no / orderId */
  outTradeNo: string;
  amount: Fen;
  subject: string;
  /** where the channel notifies JuhePay about this order */
  notifyUrl: string;
  /** where the wallet page sends the customer afterwards (H5 / wap ways) */
  returnUrl?: string | undefined;
  expiresAt: Date;
  clientIp?: string | undefined;
  /** the payer at the channel (WeChat openid, Alipay buyer id, …), for JSAPI ways */
  payerId?: string | undefined;
  /** the channel-visible order creation time (UnionPay txnTime needs it for queries) */
  createdAt: Date;
}

/** What the cashier page (or the merchant's POS) must do next to let the customer pay. */
export type WalletAction = (
  | { type: 'wechat_jsapi'; params: Record<string, string> }
  | { type: 'alipay_jsapi'; trade_no: string }
  | { type: 'qr_code'; code_url: string }
  | { type: 'redirect'; url: string }
  | { type: 'form_post'; url: string; fields: Record<string, string> }
) & {
  /**
   * Sandbox channels only: the simulated wallet page that stands in for the app's JS bridge
   * (WeixinJSBridge, AlipayJSBridge), so the demo can be clicked through in any browser.
   */
  sandbox_url?: string;
};

/** How a cashier learns who the customer is at the channel (WeChat openid, Alipay buyer id). */
export interface PayerAuth {
  /** where to send the customer's browser; the channel comes back to redirectUri with a code */
  authorizeUrl(config: ChannelConfig, redirectUri: string, state: string): string;
  /** the code → the customer's id at the channel */
  payerId(config: ChannelConfig, code: string): Promise<string>;
}

export interface CreateResult {
  action: WalletAction;
  channelTradeNo?: string | undefined;
}

/** The channel's view of a payment, reduced to what JuhePay decides on. */
export type ChannelPaymentState =
  | 'not_found' // the channel has no such trade (yet): e.g. an Alipay precreate not scanned
  | 'pending' // created, waiting for the customer
  | 'user_paying' // the customer is entering a password (payment codes)
  | 'succeeded' // paid (refunds do not change this)
  // paid, then all of it went back to the payer, and the channel does not say by what: a reverse
  // (撤销) or a full refund (Alipay TRADE_CLOSED with payment fields). Only whoever knows of its own
  // reverse can tell: after JuhePay's reverse the order is closed; without one it was paid.
  | 'refunded'
  | 'closed' // closed, reversed or expired without payment
  | 'failed'; // refused (insufficient funds, invalid code, …)

export interface PaymentStatus {
  state: ChannelPaymentState;
  channelTradeNo?: string | undefined;
  /** amount the channel says was paid, to check against the order */
  amount?: Fen | undefined;
  payer?: Record<string, string> | undefined;
  paidAt?: Date | undefined;
  /** the channel's own code/description, for failures and logs */
  code?: string | undefined;
  message?: string | undefined;
}

/**
 * A reverse (撤销) of a payment-code order, with values fixed when JuhePay decided to reverse, so
 * every attempt is the same request: a channel whose reverse is a transaction of its own (UnionPay
 * 消费撤销, its own orderId and txnTime) sends and finds it again by these.
 */
export interface ReverseRequest {
  outTradeNo: string;
  /** the order's channel-visible creation time */
  createdAt: Date;
  /** when JuhePay decided to reverse (UnionPay: the cancel's txnTime) */
  requestedAt: Date;
  /** where a channel that notifies about the reverse sends it (UnionPay backUrl) */
  notifyUrl?: string | undefined;
}

/**
 * reversed: the channel confirmed the trade is over and nothing stays with the merchant;
 * pending: asked, not (yet) confirmed (asking again with the same request reports on the same reverse);
 * refused: the channel will not reverse it: the payment stands as the channel's query reports it.
 */
export type ReverseState = 'reversed' | 'pending' | 'refused';

export interface ReverseResult {
  state: ReverseState;
  /** what the reverse did, where the channel says (Alipay cancel `action`): closed unpaid, or refunded paid */
  action?: 'close' | 'refund' | undefined;
  /** the reverse's own id at the channel (UnionPay: the cancel's queryId) */
  channelReverseNo?: string | undefined;
  code?: string | undefined;
  message?: string | undefined;
}

/**
 * `abnormal`: the money left the merchant but the customer's account could not take it (WeChat
 * ABNORMAL: a cancelled or frozen card); it waits in the channel until an operator redirects it.
 */
export type RefundState = 'pending' | 'succeeded' | 'failed' | 'abnormal' | 'not_found';

export interface RefundRequest {
  outTradeNo: string;
  channelTradeNo?: string | undefined;
  outRefundNo: string;
  amount: Fen;
  /** the order's total, which several channels require */
  total: Fen;
  reason?: string | undefined;
  notifyUrl: string;
  /** when the original payment was made (UnionPay refunds reference it) */
  orderCreatedAt: Date;
}

/** Where an abnormal refund goes instead (WeChat apply-abnormal-refund `type`). */
export type AbnormalRefundTarget =
  | { type: 'USER_BANK_CARD'; bankType: string; bankAccount: string; realName: string }
  | { type: 'MERCHANT_BANK_CARD' };

export interface RefundStatus {
  state: RefundState;
  channelRefundNo?: string | undefined;
  code?: string | undefined;
  message?: string | undefined;
}

/** An incoming channel notification after its signature was verified and its payload decoded. */
export type ChannelNotification =
  | { kind: 'payment'; outTradeNo: string; status: PaymentStatus }
  | { kind: 'refund'; outTradeNo: string; outRefundNo: string; status: RefundStatus };

export interface RawNotification {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What to answer the channel: its own acknowledgement format. */
export interface NotificationAck {
  status: number;
  contentType: string;
  body: string;
}

export interface BillRecord {
  outTradeNo: string;
  channelTradeNo: string;
  kind: 'payment' | 'refund';
  outRefundNo?: string | undefined;
  amount: Fen;
  fee: Fen;
  at: Date;
}

/** A channel's daily bill as downloaded: the raw file, stored and parsed by reconciliation. */
export interface ChannelBillFile {
  format: 'wechatpay_tradebill' | 'alipay_bill_zip' | 'unionpay_acp_dayfile';
  /** the trade date `yyyy-MM-dd` (China) the bill covers */
  date: string;
  fileName?: string;
  bytes: Uint8Array;
  /** WeChat: the SHA1 `hash_value` announced with the download (already checked) */
  sha1?: string;
}

export interface Channel {
  readonly id: ChannelId;
  readonly payWays: readonly PayWay[];
  /** present for channels whose JSAPI way needs the payer's id first */
  readonly payerAuth?: PayerAuth;
  create(config: ChannelConfig, payWay: PayWay, order: ChannelOrder): Promise<CreateResult>;
  payByCode(config: ChannelConfig, order: ChannelOrder, authCode: string): Promise<PaymentStatus>;
  query(config: ChannelConfig, order: Pick<ChannelOrder, 'outTradeNo' | 'createdAt'>): Promise<PaymentStatus>;
  /** closes an unpaid trade; resolves with the state found (a paid trade is reported, not closed) */
  close(config: ChannelConfig, order: Pick<ChannelOrder, 'outTradeNo' | 'createdAt'>): Promise<PaymentStatus>;
  /**
   * reverses (撤销) a payment-code attempt: cancels it, refunding if it was paid. Idempotent: the
   * same request again reports on the same reverse (confirming it), never makes a second one.
   */
  reverse(config: ChannelConfig, reverse: ReverseRequest): Promise<ReverseResult>;
  refund(config: ChannelConfig, refund: RefundRequest): Promise<RefundStatus>;
  refundQuery(config: ChannelConfig, refund: RefundRequest): Promise<RefundStatus>;
  /** present for channels with abnormal refunds: sends one to another account; answers its new state */
  applyAbnormalRefund?(
    config: ChannelConfig,
    refund: RefundRequest & { channelRefundNo: string },
    target: AbnormalRefundTarget,
  ): Promise<RefundStatus>;
  /** verifies and decodes a notification; throws ChannelError('invalid_notification') if it is not authentic */
  parseNotification(config: ChannelConfig, raw: RawNotification): Promise<ChannelNotification>;
  ack(accepted: boolean): NotificationAck;
  downloadBill(config: ChannelConfig, date: string): Promise<BillRecord[]>;
  /** the channel identity a configuration's bill belongs to: one bill per identity and day */
  billIdentity?(config: ChannelConfig): string;
  /** the raw bill of a day for the configuration's identity; null when the channel has none that day */
  downloadBillFile?(config: ChannelConfig, date: string): Promise<ChannelBillFile | null>;
  /** channels that rewrite our ids on the wire: the JuhePay id a bill's merchant number stands for */
  billOrderId?(merchantNo: string, kind: 'trade' | 'refund'): string | undefined;
}

export type ChannelErrorKind =
  | 'timeout' // no answer in time: the outcome is unknown
  | 'network' // could not reach the channel
  | 'system_error' // the channel said "system error, retry"
  | 'invalid_notification' // signature or payload did not verify
  | 'rejected' // the channel refused the request (parameters, permissions, state)
  | 'config'; // our configuration for the channel is incomplete or wrong

export class ChannelError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    readonly channelCode?: string,
  ) {
    super(message);
    this.name = 'ChannelError';
  }

  /** asking again (the same request, same out_trade_no) may succeed */
  get retryable(): boolean {
    return this.kind === 'timeout' || this.kind === 'network' || this.kind === 'system_error';
  }
}
