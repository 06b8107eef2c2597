import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { sum, type Fen } from '../../core/money.js';
import type { TradeStatus } from '../../channels/alipay/status.js';
import { alipayTime, chinaDate } from '../../channels/alipay/protocol/time.js';

/**
 * The simulator's books: precreated codes (not yet trades), trades with their refunds, OAuth codes
 * and short-lived bill links. In memory; times come from the injected clock.
 */

export interface AlipayRefund {
  outRequestNo: string;
  amount: Fen;
  reason: string;
  at: Date;
}

export interface AlipayTrade {
  tradeNo: string;
  outTradeNo: string;
  totalAmount: Fen;
  subject: string;
  storeId: string;
  productCode: string;
  status: TradeStatus;
  buyerId?: string;
  buyerOpenId?: string;
  notifyUrl?: string;
  returnUrl?: string;
  createdAt: Date;
  paidAt?: Date;
  closedAt?: Date;
  /** password payments: the trade pays itself at this clock time */
  paysAtMs?: number;
  closedBy?: 'close' | 'cancel' | 'refund';
  refunds: AlipayRefund[];
}

export interface Precreated {
  qrCode: string;
  outTradeNo: string;
  totalAmount: Fen;
  subject: string;
  storeId: string;
  notifyUrl?: string;
  createdAt: Date;
}

export interface BillLink {
  date: string;
  expiresAtMs: number;
}

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');
const lowerAlnum = (n: number) =>
  Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[randomInt(36)]).join('');

/** buyer ids are whatever the caller picks; a payment code stands for one sandbox buyer */
export function buyerIdForCode(code: string): string {
  const n = BigInt(`0x${createHash('sha256').update(code).digest('hex').slice(0, 15)}`) % 10n ** 12n;
  return `2088${n.toString().padStart(12, '0')}`;
}

/** open_id is per (app, user), as Alipay issues it */
export function openIdFor(appId: string, userId: string): string {
  return `0${createHash('sha256').update(`${appId}:${userId}`).digest('base64url').slice(0, 45)}`;
}

/** logon ids are shown masked, like `xud***@126.com` */
export function maskedLogonId(buyerId: string): string {
  return `${buyerId.slice(-4, -2)}***@sandbox.alipay.com`;
}

export class AlipayTradeStore {
  private readonly trades = new Map<string, AlipayTrade>(); // by out_trade_no
  private readonly byTradeNo = new Map<string, AlipayTrade>();
  private readonly precreated = new Map<string, Precreated>(); // by out_trade_no
  private readonly precreatedByQr = new Map<string, Precreated>();
  private readonly oauthCodes = new Map<string, { userId: string; appId: string }>();
  private readonly billLinks = new Map<string, BillLink>();

  constructor(private readonly clock: Clock) {}

  now(): Date {
    return this.clock.now();
  }

  /** 28 digits like real trade numbers: China date, `22001`, then a serial */
  newTradeNo(): string {
    return `${chinaDate(this.now()).replaceAll('-', '')}22001${digits(15)}`;
  }

  find(ref: { outTradeNo?: string; tradeNo?: string }): AlipayTrade | undefined {
    const trade = ref.tradeNo
      ? this.byTradeNo.get(ref.tradeNo)
      : ref.outTradeNo
        ? this.trades.get(ref.outTradeNo)
        : undefined;
    if (trade && ref.outTradeNo && trade.outTradeNo !== ref.outTradeNo) return undefined;
    return trade;
  }

  add(fields: Omit<AlipayTrade, 'tradeNo' | 'createdAt' | 'refunds'>): AlipayTrade {
    const trade: AlipayTrade = { ...fields, tradeNo: this.newTradeNo(), createdAt: this.now(), refunds: [] };
    this.trades.set(trade.outTradeNo, trade);
    this.byTradeNo.set(trade.tradeNo, trade);
    return trade;
  }

  /** forgets a trade that never got paid, so its out_trade_no can be used again (failed code payments) */
  remove(trade: AlipayTrade): void {
    this.trades.delete(trade.outTradeNo);
    this.byTradeNo.delete(trade.tradeNo);
  }

  precreate(fields: Omit<Precreated, 'qrCode' | 'createdAt'>): Precreated {
    const existing = this.precreated.get(fields.outTradeNo);
    if (existing) return existing; // Alipay hands out the same code for a repeated precreate
    const entry: Precreated = {
      ...fields,
      qrCode: `https://qr.alipay.com/bax${lowerAlnum(22)}`,
      createdAt: this.now(),
    };
    this.precreated.set(entry.outTradeNo, entry);
    this.precreatedByQr.set(entry.qrCode, entry);
    return entry;
  }

  findPrecreated(ref: { outTradeNo?: string; qrCode?: string }): Precreated | undefined {
    return ref.qrCode
      ? this.precreatedByQr.get(ref.qrCode)
      : ref.outTradeNo
        ? this.precreated.get(ref.outTradeNo)
        : undefined;
  }

  /** a cancelled code can no longer be scanned */
  voidPrecreated(entry: Precreated): void {
    this.precreated.delete(entry.outTradeNo);
    this.precreatedByQr.delete(entry.qrCode);
  }

  markPaid(trade: AlipayTrade, buyerId: string, buyerOpenId?: string): void {
    trade.status = 'TRADE_SUCCESS';
    trade.buyerId = buyerId;
    trade.buyerOpenId = buyerOpenId ?? trade.buyerOpenId;
    trade.paidAt = this.now();
    delete trade.paysAtMs;
  }

  markClosed(trade: AlipayTrade, by: AlipayTrade['closedBy']): void {
    trade.status = 'TRADE_CLOSED';
    trade.closedBy = by;
    trade.closedAt = this.now();
    delete trade.paysAtMs;
  }

  refunded(trade: AlipayTrade): Fen {
    return sum(trade.refunds.map((r) => r.amount));
  }

  addRefund(trade: AlipayTrade, refund: Omit<AlipayRefund, 'at'>): AlipayRefund {
    const entry = { ...refund, at: this.now() };
    trade.refunds.push(entry);
    if (this.refunded(trade) === trade.totalAmount) this.markClosed(trade, 'refund');
    return entry;
  }

  /** a password payment whose wait is over becomes paid; true if it changed now */
  settleIfDue(trade: AlipayTrade): boolean {
    if (
      trade.status !== 'WAIT_BUYER_PAY' ||
      trade.paysAtMs === undefined ||
      this.clock.nowMs() < trade.paysAtMs
    )
      return false;
    this.markPaid(trade, trade.buyerId ?? buyerIdForCode(trade.tradeNo));
    return true;
  }

  all(): AlipayTrade[] {
    return [...this.trades.values()];
  }

  issueOauthCode(appId: string, userId: string): string {
    const code = `${randomBytes(16).toString('hex')}`;
    this.oauthCodes.set(code, { userId, appId });
    return code;
  }

  /** auth codes are single use */
  redeemOauthCode(code: string, appId: string): string | undefined {
    const entry = this.oauthCodes.get(code);
    if (!entry || entry.appId !== appId) return undefined;
    this.oauthCodes.delete(code);
    return entry.userId;
  }

  issueBillLink(date: string, validMs: number): string {
    const token = randomBytes(16).toString('hex');
    this.billLinks.set(token, { date, expiresAtMs: this.clock.nowMs() + validMs });
    return token;
  }

  billLink(token: string): BillLink | undefined {
    return this.billLinks.get(token);
  }

  timeText(at: Date | undefined): string {
    return at ? alipayTime(at) : '';
  }
}
