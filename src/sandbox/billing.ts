import type { FastifyInstance, FastifyReply } from 'fastify';
import { applyRate } from '../core/money.js';
import { DEMO_PRICING } from '../fees/index.js';
import type { SandboxContext } from './context.js';
import { jsonBody } from './json-body.js';

/**
 * What the simulated channels charge, and the bill faults (docs/sandbox.md).
 *
 * The fee on a bill row is the channel's cost rate (CONTRACT §6: what the channel's contract
 * says) — `round_half_up(amount × rate / 10^6)` per trade; a refund gives back its share of that
 * cost, cumulatively, as the fees module computes it, so an honest day reconciles without a fee
 * mismatch. The rates start as the demo pricing (the `default` pricing `npm start` installs) and
 * follow the installation's when it sets them here: `PUT /sandbox/pricing` with the same
 * `channel_costs` as `PUT /admin/v1/pricing/default`.
 *
 * Faults on bills: `POST /sandbox/bills/fee` makes one trade's row show another fee (the channel
 * altered it); `POST /sandbox/bills/trades` adds a trade made at the channel behind JuhePay's back
 * (the merchant's own till on the same sub-merchant): it appears in the bill of its day.
 */

export const BILL_CHANNELS = ['wechatpay', 'alipay', 'unionpay'] as const;
export type BillChannel = (typeof BILL_CHANNELS)[number];

export interface ExtraTrade {
  channel: BillChannel;
  outTradeNo: string;
  channelTradeNo: string;
  amount: number;
  fee: number;
  at: Date;
}

export class SandboxBilling {
  private rates: Record<string, number> = { ...DEMO_PRICING.channel_costs };
  private readonly fees = new Map<string, number>();
  private readonly extras: ExtraTrade[] = [];
  private serial = 0;

  costRates(): Record<string, number> {
    return { ...this.rates };
  }

  setCostRates(rates: Record<string, number>): void {
    this.rates = { ...this.rates, ...rates };
  }

  /** the fee a trade's bill row shows */
  tradeFee(channel: BillChannel, outTradeNo: string, amount: number): number {
    return (
      this.fees.get(`${channel}:${outTradeNo}`) ?? applyRate(amount, this.rates[channel] ?? 0, 'half_up')
    );
  }

  /** the part of the trade's fee a refund gives back: what the refunded total maps to, minus before */
  refundFee(
    channel: BillChannel,
    outTradeNo: string,
    amount: number,
    before: number,
    refund: number,
  ): number {
    const fee = this.tradeFee(channel, outTradeNo, amount);
    const scaled = (part: number) => Math.floor((fee * part * 2 + amount) / (2 * amount));
    return scaled(before + refund) - scaled(before);
  }

  alterFee(channel: BillChannel, outTradeNo: string, fee: number): void {
    this.fees.set(`${channel}:${outTradeNo}`, fee);
  }

  addTrade(t: Omit<ExtraTrade, 'channelTradeNo' | 'fee'> & { fee?: number }): ExtraTrade {
    const n = String(++this.serial).padStart(8, '0');
    const channelTradeNo =
      t.channel === 'wechatpay'
        ? `4200009${n}${Date.now() % 1e8}`
        : t.channel === 'alipay'
          ? `2026${n}${Date.now() % 1e8}`
          : `9${n}${Date.now() % 1e8}`;
    const trade = {
      ...t,
      channelTradeNo,
      fee: t.fee ?? applyRate(t.amount, this.rates[t.channel] ?? 0, 'half_up'),
    };
    this.extras.push(trade);
    return trade;
  }

  extraTrades(channel: BillChannel): readonly ExtraTrade[] {
    return this.extras.filter((e) => e.channel === channel);
  }

  reset(): void {
    this.fees.clear();
    this.extras.length = 0;
  }
}

const BOOKS = new WeakMap<SandboxContext, SandboxBilling>();

/** the billing state of a sandbox (one per running sandbox) */
export function billingOf(ctx: SandboxContext): SandboxBilling {
  let book = BOOKS.get(ctx);
  if (!book) BOOKS.set(ctx, (book = new SandboxBilling()));
  return book;
}

function bad(reply: FastifyReply, message: string, param: string) {
  return reply
    .code(400)
    .send({ error: { type: 'invalid_request_error', code: 'parameter_invalid', message, param } });
}

const isChannel = (v: unknown): v is BillChannel => BILL_CHANNELS.includes(v as BillChannel);
const isFen = (v: unknown, min = 0): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

export function registerBillingRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const book = billingOf(ctx);
  app.get('/sandbox/pricing', async () => ({ channel_costs: book.costRates() }));
  app.put('/sandbox/pricing', async (request, reply) => {
    const body = jsonBody(request.body);
    const costs = body?.channel_costs;
    if (!body || Object.keys(body).some((k) => k !== 'channel_costs') || !costs || typeof costs !== 'object')
      return bad(reply, 'send { "channel_costs": { "<channel>": <ppm>, … } }', 'channel_costs');
    for (const [channel, rate] of Object.entries(costs))
      if (!/^[a-z0-9_]{1,32}$/.test(channel) || !isFen(rate) || rate > 1_000_000)
        return bad(reply, `channel_costs.${channel} must be an integer 0…1000000 (ppm)`, 'channel_costs');
    book.setCostRates(costs as Record<string, number>);
    return { channel_costs: book.costRates() };
  });
  app.post('/sandbox/bills/fee', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 'send a JSON object', 'body');
    const { channel, out_trade_no: outTradeNo, fee } = body;
    if (!isChannel(channel))
      return bad(reply, `channel must be one of ${BILL_CHANNELS.join(', ')}`, 'channel');
    if (typeof outTradeNo !== 'string' || !/^[0-9A-Za-z_-]{1,64}$/.test(outTradeNo))
      return bad(reply, 'out_trade_no must be the merchant order number', 'out_trade_no');
    if (!isFen(fee)) return bad(reply, 'fee must be an integer of fen ≥ 0', 'fee');
    book.alterFee(channel, outTradeNo, fee);
    return { channel, out_trade_no: outTradeNo, fee };
  });
  app.post('/sandbox/bills/trades', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 'send a JSON object', 'body');
    const { channel, amount, out_trade_no: given } = body;
    if (!isChannel(channel))
      return bad(reply, `channel must be one of ${BILL_CHANNELS.join(', ')}`, 'channel');
    if (!isFen(amount, 1)) return bad(reply, 'amount must be an integer of fen ≥ 1', 'amount');
    if (given !== undefined && (typeof given !== 'string' || !/^[0-9A-Za-z]{8,32}$/.test(given)))
      return bad(reply, 'out_trade_no must be 8–32 letters and digits', 'out_trade_no');
    const outTradeNo = given ?? `OUTSIDE${ctx.clock.nowMs()}${Math.floor(Math.random() * 1e6)}`;
    const t = book.addTrade({ channel, outTradeNo, amount, at: ctx.clock.now() });
    return reply.code(201).send({
      channel,
      out_trade_no: t.outTradeNo,
      channel_trade_no: t.channelTradeNo,
      amount: t.amount,
      fee: t.fee,
      at: t.at.toISOString(),
    });
  });
  app.delete('/sandbox/bills', async () => {
    book.reset();
    return { ok: true };
  });
}
