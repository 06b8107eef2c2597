import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { gzipSync } from 'fflate';
import { beijingBillTime, beijingDate } from '../../channels/wechatpay/protocol/notification.js';
import { buildTradeBill, type TradeBillRow } from '../../channels/wechatpay/protocol/trade-bill.js';
import { billingOf, type ExtraTrade, type SandboxBilling } from '../billing.js';
import type { WechatSimulator } from './simulator.js';
import type { Refund, Trade } from './trade-store.js';

/**
 * The trade bill: GET /v3/bill/tradebill answers {hash_type, hash_value, download_url}; the
 * download itself is not signed (clients check the SHA1 instead), and its URL lives 30 s.
 */

const DOWNLOAD_TTL_MS = 30_000;
const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'] as const;

/** the rate column as WeChat writes it, e.g. 0.20% */
const rateText = (ppm: number) => `${(ppm / 10_000).toFixed(2)}%`;

/** the columns WeChat fills the same way on every paid trade's line (no refund on it) */
type PaidRowFields =
  | 'tradeState'
  | 'bankType'
  | 'currency'
  | 'settlementTotal'
  | 'coupon'
  | 'refundId'
  | 'outRefundNo'
  | 'refund'
  | 'couponRefund'
  | 'refundType'
  | 'refundStatus'
  | 'requestedRefund'
  | 'rateNote';

/** a paid trade's bill row */
function paidRow(trade: Omit<TradeBillRow, PaidRowFields>): TradeBillRow {
  return {
    ...trade,
    tradeState: 'SUCCESS',
    bankType: 'OTHERS',
    currency: 'CNY',
    settlementTotal: trade.total,
    coupon: 0,
    refundId: '0',
    outRefundNo: '0',
    refund: 0,
    couponRefund: 0,
    refundType: '',
    refundStatus: '',
    requestedRefund: 0,
    rateNote: '',
  };
}

function paymentRow(t: Trade, book: SandboxBilling): TradeBillRow {
  return paidRow({
    tradeTime: beijingBillTime(t.successAt!),
    appId: t.spAppid,
    mchId: t.spMchid,
    subMchId: t.subMchid,
    deviceInfo: t.deviceInfo ?? '',
    transactionId: t.transactionId,
    outTradeNo: t.outTradeNo,
    openid: t.payer.sp_openid ?? t.payer.sub_openid ?? '',
    tradeType: t.tradeType,
    body: t.description,
    attach: t.attach ?? '',
    // the channel's cost rate of the installation's pricing (sandbox/billing.ts)
    feeMilliFen: book.tradeFee('wechatpay', t.outTradeNo, t.total) * 1000,
    rate: rateText(book.costRates().wechatpay ?? 0),
    total: t.total,
  });
}

function refundRow(r: Refund, t: Trade, book: SandboxBilling, before: number): TradeBillRow {
  return {
    ...paymentRow(t, book),
    tradeTime: beijingBillTime(r.successAt!),
    tradeState: 'REFUND',
    settlementTotal: 0,
    total: 0,
    refundId: r.refundId,
    outRefundNo: r.outRefundNo,
    refund: r.refund,
    refundType: 'ORIGINAL',
    refundStatus: r.status,
    // the share of the trade's fee the refund gives back, shown negative as in real bills
    feeMilliFen: -book.refundFee('wechatpay', t.outTradeNo, t.total, before, r.refund) * 1000,
    requestedRefund: r.refund,
  };
}

/** the day's rows from the simulator's records: payments by success time, refunds by their success time */
export function billRows(
  sim: WechatSimulator,
  date: string,
  subMchid: string | undefined,
  type: (typeof BILL_TYPES)[number],
): TradeBillRow[] {
  const mine = (subMchidOf: string) => subMchid === undefined || subMchidOf === subMchid;
  const book = billingOf(sim.ctx);
  const rows: TradeBillRow[] = [];
  if (type !== 'REFUND') {
    for (const t of sim.store.allTrades())
      if (t.successAt && beijingDate(t.successAt) === date && mine(t.subMchid))
        rows.push(paymentRow(t, book));
    for (const e of book.extraTrades('wechatpay'))
      if (beijingDate(e.at) === date) rows.push(extraRow(e, sim, subMchid));
  }
  if (type !== 'SUCCESS') {
    // each refund gives back its share of the fee after the refunds before it (any day)
    const refunded = new Map<string, number>();
    const done = sim.store
      .allRefunds()
      .filter((r) => r.successAt)
      .sort((a, b) => a.successAt!.getTime() - b.successAt!.getTime());
    for (const r of done) {
      const before = refunded.get(r.transactionId) ?? 0;
      refunded.set(r.transactionId, before + r.refund);
      const t = sim.store.findByTransactionId(r.transactionId);
      if (t && beijingDate(r.successAt!) === date && mine(r.subMchid))
        rows.push(refundRow(r, t, book, before));
    }
  }
  return rows.sort((a, b) => a.tradeTime.localeCompare(b.tradeTime));
}

/** a trade made at the channel behind JuhePay's back (POST /sandbox/bills/trades) */
function extraRow(e: ExtraTrade, sim: WechatSimulator, subMchid: string | undefined): TradeBillRow {
  const k = sim.ctx.keys.wechatpay;
  return paidRow({
    tradeTime: beijingBillTime(e.at),
    appId: k.sp_appid,
    mchId: k.sp_mchid,
    subMchId: subMchid ?? k.sub_mchid,
    deviceInfo: '',
    transactionId: e.channelTradeNo,
    outTradeNo: e.outTradeNo,
    openid: 'oSandboxOutsideJuhePay',
    tradeType: 'NATIVE',
    body: 'outside JuhePay',
    attach: '',
    feeMilliFen: e.fee * 1000,
    rate: rateText(billingOf(sim.ctx).costRates().wechatpay ?? 0),
    total: e.amount,
  });
}

export function registerBillRoutes(app: FastifyInstance, sim: WechatSimulator): void {
  const downloads = new Map<string, { bytes: Buffer; gzip: boolean; expiresAt: number }>();

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/wechatpay/v3/bill/tradebill',
    async (request, reply) => {
      const auth = sim.authenticate(request, reply);
      if (!auth) return reply;
      if (
        await sim.fault('tradebill', request, reply, () => sim.error(reply, 500, 'SYSTEM_ERROR', '系统错误'))
      )
        return reply;
      const {
        bill_date: date,
        sub_mchid: subMchid,
        bill_type: billType = 'ALL',
        tar_type: tarType,
      } = request.query;
      if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
        return sim.error(reply, 400, 'PARAM_ERROR', 'bill_date格式应为YYYY-MM-DD', {
          field: 'bill_date',
          location: 'query',
          value: date ?? null,
        });
      }
      if (!(BILL_TYPES as readonly string[]).includes(billType))
        return sim.error(reply, 400, 'PARAM_ERROR', 'bill_type取值为ALL、SUCCESS或REFUND');
      if (tarType !== undefined && tarType !== 'GZIP')
        return sim.error(reply, 400, 'PARAM_ERROR', 'tar_type仅支持GZIP');
      // the real API serves a day from 10:00 the next morning; the sandbox serves today as well
      if (date > beijingDate(sim.ctx.clock.now()))
        return sim.error(reply, 400, 'INVALID_REQUEST', '账单日期不能晚于当前日期');
      const rows = billRows(sim, date, subMchid, billType as (typeof BILL_TYPES)[number]);
      if (rows.length === 0) return sim.error(reply, 400, 'NO_STATEMENT_EXIST', '账单不存在');
      const csv = Buffer.from(buildTradeBill(rows), 'utf8');
      const bytes = tarType === 'GZIP' ? Buffer.from(gzipSync(csv)) : csv;
      const token = randomBytes(24).toString('base64url');
      downloads.set(token, {
        bytes,
        gzip: tarType === 'GZIP',
        expiresAt: sim.ctx.clock.nowMs() + DOWNLOAD_TTL_MS,
      });
      return sim.sendSigned(reply, 200, {
        hash_type: 'SHA1',
        hash_value: createHash('sha1').update(bytes).digest('hex'),
        download_url: `${sim.ctx.baseUrl}/wechatpay/v3/billdownload/file?token=${token}`,
      });
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/wechatpay/v3/billdownload/file',
    async (request, reply) => {
      const auth = sim.authenticate(request, reply);
      if (!auth) return reply;
      const entry = downloads.get(request.query.token ?? '');
      if (!entry || entry.expiresAt < sim.ctx.clock.nowMs())
        return sim.error(reply, 400, 'INVALID_REQUEST', 'token已过期或不存在，请重新获取下载地址');
      return reply
        .code(200)
        .type(entry.gzip ? 'application/x-gzip' : 'text/plain; charset=utf-8')
        .send(entry.bytes);
    },
  );
}
