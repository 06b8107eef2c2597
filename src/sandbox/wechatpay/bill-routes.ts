import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { gzipSync } from 'fflate';
import { beijingBillTime, beijingDate } from '../../channels/wechatpay/protocol/notification.js';
import { buildTradeBill, type TradeBillRow } from '../../channels/wechatpay/protocol/trade-bill.js';
import { applyRate } from '../../core/money.js';
import type { WechatSimulator } from './simulator.js';
import type { Refund, Trade } from './trade-store.js';

/**
 * The trade bill: GET /v3/bill/tradebill answers {hash_type, hash_value, download_url}; the
 * download itself is not signed (clients check the SHA1 instead), and its URL lives 30 s.
 */

const FEE_RATE_PPM = 6_000; // 0.60 %, the common WeChat rate for ordinary merchants
const DOWNLOAD_TTL_MS = 30_000;
const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'] as const;

function paymentRow(t: Trade): TradeBillRow {
  return {
    tradeTime: beijingBillTime(t.successAt!),
    appId: t.spAppid,
    mchId: t.spMchid,
    subMchId: t.subMchid,
    deviceInfo: t.deviceInfo ?? '',
    transactionId: t.transactionId,
    outTradeNo: t.outTradeNo,
    openid: t.payer.sp_openid ?? t.payer.sub_openid ?? '',
    tradeType: t.tradeType,
    tradeState: 'SUCCESS',
    bankType: 'OTHERS',
    currency: 'CNY',
    settlementTotal: t.total,
    coupon: 0,
    refundId: '0',
    outRefundNo: '0',
    refund: 0,
    couponRefund: 0,
    refundType: '',
    refundStatus: '',
    body: t.description,
    attach: t.attach ?? '',
    feeMilliFen: applyRate(t.total, FEE_RATE_PPM, 'half_up') * 1000,
    rate: '0.60%',
    total: t.total,
    requestedRefund: 0,
    rateNote: '',
  };
}

function refundRow(r: Refund, t: Trade): TradeBillRow {
  return {
    ...paymentRow(t),
    tradeTime: beijingBillTime(r.successAt!),
    tradeState: 'REFUND',
    settlementTotal: 0,
    total: 0,
    refundId: r.refundId,
    outRefundNo: r.outRefundNo,
    refund: r.refund,
    refundType: 'ORIGINAL',
    refundStatus: r.status,
    feeMilliFen: 0,
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
  const rows: TradeBillRow[] = [];
  if (type !== 'REFUND') {
    for (const t of sim.store.allTrades())
      if (t.successAt && beijingDate(t.successAt) === date && mine(t.subMchid)) rows.push(paymentRow(t));
  }
  if (type !== 'SUCCESS') {
    for (const r of sim.store.allRefunds()) {
      const t = sim.store.findByTransactionId(r.transactionId);
      if (t && r.successAt && beijingDate(r.successAt) === date && mine(r.subMchid))
        rows.push(refundRow(r, t));
    }
  }
  return rows.sort((a, b) => a.tradeTime.localeCompare(b.tradeTime));
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
