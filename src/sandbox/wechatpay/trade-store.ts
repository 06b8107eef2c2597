import { randomBytes, randomInt } from 'node:crypto';
import type { WechatTradeState } from '../../channels/wechatpay/status.js';
import type { Clock } from '../../core/clock.js';
import type { Fen } from '../../core/money.js';

/**
 * The simulator's memory of trades and refunds, keyed the way WeChat looks them up: out_trade_no
 * per sub-merchant, transaction_id, prepay_id, code_url. Times come from the injected clock.
 */

export type TradeType = 'JSAPI' | 'NATIVE' | 'MICROPAY';

export interface Trade {
  spMchid: string;
  spAppid: string;
  subMchid: string;
  subAppid?: string;
  outTradeNo: string;
  transactionId: string;
  tradeType: TradeType;
  state: WechatTradeState;
  description: string;
  attach?: string;
  notifyUrl?: string;
  total: Fen;
  /** the openid the order was placed for (JSAPI payer), then who actually paid */
  payer: { sp_openid?: string; sub_openid?: string };
  prepayId?: string;
  codeUrl?: string;
  deviceInfo?: string;
  createdAt: Date;
  expiresAt?: Date;
  successAt?: Date;
  /** the request body that created it, to tell an idempotent retry from a reused out_trade_no */
  fingerprint: string;
  refunded: Fen;
  /** 付款码 only */
  authCode?: string;
  /** USERPAYING that turns into SUCCESS at this instant (password scenario); undefined = never */
  payableAtMs?: number;
}

export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

export interface Refund {
  subMchid: string;
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  reason?: string;
  notifyUrl?: string;
  refund: Fen;
  total: Fen;
  status: RefundStatus;
  createdAt: Date;
  successAt?: Date;
  fingerprint: string;
  /** set once an abnormal refund was sent elsewhere (user_received_account then names it) */
  receivedAccount?: string;
}

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

function compactBeijing(at: Date): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export class WechatTradeStore {
  private readonly trades = new Map<string, Trade>(); // `${subMchid}/${outTradeNo}`
  private readonly byTransaction = new Map<string, Trade>();
  private readonly byPrepay = new Map<string, Trade>();
  private readonly byCodeUrl = new Map<string, Trade>();
  private readonly refunds = new Map<string, Refund>(); // `${subMchid}/${outRefundNo}`

  constructor(private readonly clock: Clock) {}

  now(): Date {
    return this.clock.now();
  }

  find(subMchid: string, outTradeNo: string): Trade | undefined {
    return this.trades.get(`${subMchid}/${outTradeNo}`);
  }

  findByTransactionId(transactionId: string): Trade | undefined {
    return this.byTransaction.get(transactionId);
  }

  findByPrepayId(prepayId: string): Trade | undefined {
    return this.byPrepay.get(prepayId);
  }

  findByCodeUrl(codeUrl: string): Trade | undefined {
    return this.byCodeUrl.get(codeUrl);
  }

  /** Creates a trade with fresh WeChat-shaped ids (transaction_id 28 digits, prepay_id wx+time+hex). */
  create(fields: Omit<Trade, 'transactionId' | 'createdAt' | 'refunded' | 'prepayId' | 'codeUrl'>): Trade {
    const createdAt = this.clock.now();
    const trade: Trade = { ...fields, transactionId: `4200${digits(24)}`, createdAt, refunded: 0 };
    if (trade.tradeType === 'JSAPI')
      trade.prepayId = `wx${compactBeijing(createdAt)}${randomBytes(10).toString('hex')}`;
    if (trade.tradeType === 'NATIVE')
      trade.codeUrl = `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('base64url')}`;
    this.trades.set(`${trade.subMchid}/${trade.outTradeNo}`, trade);
    this.byTransaction.set(trade.transactionId, trade);
    if (trade.prepayId) this.byPrepay.set(trade.prepayId, trade);
    if (trade.codeUrl) this.byCodeUrl.set(trade.codeUrl, trade);
    return trade;
  }

  markPaid(trade: Trade, payer: Trade['payer']): void {
    trade.state = 'SUCCESS';
    trade.payer = { ...trade.payer, ...payer };
    trade.successAt = this.clock.now();
    trade.payableAtMs = undefined;
  }

  /** The password scenario: a USERPAYING 付款码 trade completes once its moment has come. */
  settleDue(trade: Trade): void {
    if (
      trade.state === 'USERPAYING' &&
      trade.payableAtMs !== undefined &&
      this.clock.nowMs() >= trade.payableAtMs
    )
      this.markPaid(trade, {});
  }

  findRefund(subMchid: string, outRefundNo: string): Refund | undefined {
    return this.refunds.get(`${subMchid}/${outRefundNo}`);
  }

  addRefund(
    trade: Trade,
    fields: Pick<Refund, 'outRefundNo' | 'reason' | 'notifyUrl' | 'refund' | 'fingerprint'>,
  ): Refund {
    const refund: Refund = {
      ...fields,
      subMchid: trade.subMchid,
      refundId: `5${digits(28)}`,
      outTradeNo: trade.outTradeNo,
      transactionId: trade.transactionId,
      total: trade.total,
      status: 'PROCESSING',
      createdAt: this.clock.now(),
    };
    trade.refunded += refund.refund;
    trade.state = 'REFUND';
    this.refunds.set(`${refund.subMchid}/${refund.outRefundNo}`, refund);
    return refund;
  }

  /** PROCESSING → SUCCESS, or ABNORMAL when the customer's account cannot take it (the money stays refunded) */
  completeRefund(refund: Refund, outcome: 'SUCCESS' | 'ABNORMAL' = 'SUCCESS'): void {
    if (refund.status !== 'PROCESSING') return;
    refund.status = outcome;
    if (outcome === 'SUCCESS') refund.successAt = this.clock.now();
  }

  /** apply-abnormal-refund accepted: ABNORMAL → PROCESSING towards the new account */
  redirectAbnormalRefund(refund: Refund, receivedAccount: string): void {
    refund.status = 'PROCESSING';
    refund.receivedAccount = receivedAccount;
  }

  allTrades(): Trade[] {
    return [...this.trades.values()];
  }

  allRefunds(): Refund[] {
    return [...this.refunds.values()];
  }
}
