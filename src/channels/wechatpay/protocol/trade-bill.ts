import type { Fen } from '../../../core/money.js';

/**
 * The trade bill (交易账单) CSV: UTF-8 with BOM, CRLF, a plain header line, data rows whose every
 * field starts with a backtick (so spreadsheets keep long numbers as text), then a summary header
 * and one backtick summary row. Amounts are yuan: two decimals, the fee five (sub-fen), and the
 * summary writes them like Java doubles ("45.0", "0.0"). Internally: integer fen, fees in 1/1000 fen.
 */

export const BILL_COLUMNS = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
] as const;

export const BILL_SUMMARY_COLUMNS = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
] as const;

export interface TradeBillRow {
  tradeTime: string; // 'YYYY-MM-DD HH:mm:ss', Beijing time
  appId: string;
  mchId: string;
  subMchId: string;
  deviceInfo: string;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  tradeType: string;
  tradeState: string;
  bankType: string;
  currency: string;
  settlementTotal: Fen;
  coupon: Fen;
  refundId: string;
  outRefundNo: string;
  refund: Fen;
  couponRefund: Fen;
  refundType: string;
  refundStatus: string;
  body: string;
  attach: string;
  /** thousandths of a fen: the bill writes fees with five decimals of yuan */
  feeMilliFen: number;
  rate: string;
  total: Fen;
  requestedRefund: Fen;
  rateNote: string;
}

export interface TradeBillSummary {
  count: number;
  settlementTotal: Fen;
  refundTotal: Fen;
  couponRefundTotal: Fen;
  feeTotalMilliFen: number;
  orderTotal: Fen;
  requestedRefundTotal: Fen;
}

export interface TradeBill {
  rows: TradeBillRow[];
  summary: TradeBillSummary;
}

export class BillFormatError extends Error {}

/** "0.47" → 47 at scale 2; "45.0" → 45 at scale 0; more decimals than the scale only if they are zeros */
export function decimalToUnits(text: string, scale: number): number {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new BillFormatError(`not a decimal amount: ${JSON.stringify(text)}`);
  const [, minus, whole, frac = ''] = m;
  if (/[1-9]/.test(frac.slice(scale))) throw new BillFormatError(`${text} has more than ${scale} decimals`);
  const units = Number(whole) * 10 ** scale + Number(frac.slice(0, scale).padEnd(scale, '0') || '0');
  if (!Number.isSafeInteger(units)) throw new BillFormatError(`amount out of range: ${text}`);
  return minus && units !== 0 ? -units : units;
}

export function unitsToDecimal(units: number, scale: number): string {
  const abs = Math.abs(units);
  const whole = Math.trunc(abs / 10 ** scale);
  const frac = scale > 0 ? `.${String(abs % 10 ** scale).padStart(scale, '0')}` : '';
  return `${units < 0 ? '-' : ''}${whole}${frac}`;
}

/** like Java's Double.toString for these magnitudes: trailing zeros trimmed, at least one decimal */
function javaDouble(units: number, scale: number): string {
  const text = unitsToDecimal(units, scale);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '.0') : `${text}.0`;
}

const MILLI_FEN_SCALE = 5; // 1/1000 fen = 1e-5 yuan

function fields(line: string, expected: number, where: string): string[] {
  if (!line.startsWith('`')) throw new BillFormatError(`${where}: fields must start with a backtick`);
  const cells = line.slice(1).split(',`');
  if (cells.length !== expected)
    throw new BillFormatError(`${where}: ${cells.length} fields, expected ${expected}`);
  return cells;
}

function checkHeader(line: string | undefined, columns: readonly string[], what: string) {
  if (line === undefined || line.split(',').join('|') !== columns.join('|'))
    throw new BillFormatError(`${what} header does not match the ALL bill layout`);
}

export function parseTradeBill(input: string | Uint8Array): TradeBill {
  let text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const all = text.split(/\r?\n/);
  while (all.length > 0 && all[all.length - 1] === '') all.pop();
  if (all.length < 3) throw new BillFormatError('a bill has a header, rows and two summary lines');
  checkHeader(all[0], BILL_COLUMNS, 'bill');
  checkHeader(all[all.length - 2], BILL_SUMMARY_COLUMNS, 'summary');
  const rows = all.slice(1, -2).map((line, i) => rowFrom(fields(line, BILL_COLUMNS.length, `row ${i + 1}`)));
  const s = fields(all[all.length - 1]!, BILL_SUMMARY_COLUMNS.length, 'summary row').map((c, i) =>
    decimalToUnits(c, i === 0 ? 0 : i === 4 ? MILLI_FEN_SCALE : 2),
  );
  const summary: TradeBillSummary = {
    count: s[0]!,
    settlementTotal: s[1]!,
    refundTotal: s[2]!,
    couponRefundTotal: s[3]!,
    feeTotalMilliFen: s[4]!,
    orderTotal: s[5]!,
    requestedRefundTotal: s[6]!,
  };
  return { rows, summary };
}

function rowFrom(c: string[]): TradeBillRow {
  const fen = (i: number) => decimalToUnits(c[i]!, 2);
  return {
    tradeTime: c[0]!,
    appId: c[1]!,
    mchId: c[2]!,
    subMchId: c[3]!,
    deviceInfo: c[4]!,
    transactionId: c[5]!,
    outTradeNo: c[6]!,
    openid: c[7]!,
    tradeType: c[8]!,
    tradeState: c[9]!,
    bankType: c[10]!,
    currency: c[11]!,
    settlementTotal: fen(12),
    coupon: fen(13),
    refundId: c[14]!,
    outRefundNo: c[15]!,
    refund: fen(16),
    couponRefund: fen(17),
    refundType: c[18]!,
    refundStatus: c[19]!,
    body: c[20]!,
    attach: c[21]!,
    feeMilliFen: decimalToUnits(c[22]!, MILLI_FEN_SCALE),
    rate: c[23]!,
    total: fen(24),
    requestedRefund: fen(25),
    rateNote: c[26]!,
  };
}

/** Totals computed from rows, as WeChat writes them in the summary line. */
export function summarize(rows: readonly TradeBillRow[]): TradeBillSummary {
  const total = (pick: (r: TradeBillRow) => number) => rows.reduce((a, r) => a + pick(r), 0);
  return {
    count: rows.length,
    settlementTotal: total((r) => r.settlementTotal),
    refundTotal: total((r) => r.refund),
    couponRefundTotal: total((r) => r.couponRefund),
    feeTotalMilliFen: total((r) => r.feeMilliFen),
    orderTotal: total((r) => r.total),
    requestedRefundTotal: total((r) => r.requestedRefund),
  };
}

/** A bill field must not break the layout: no commas, backticks or line breaks (WeChat strips them too). */
function clean(value: string): string {
  return value.replace(/[,`\r\n]/g, ' ');
}

export function buildTradeBill(rows: readonly TradeBillRow[]): string {
  const yuan = (f: Fen) => unitsToDecimal(f, 2);
  const lines = [BILL_COLUMNS.join(',')];
  for (const r of rows) {
    const cells = [
      r.tradeTime,
      r.appId,
      r.mchId,
      r.subMchId,
      r.deviceInfo,
      r.transactionId,
      r.outTradeNo,
      r.openid,
      r.tradeType,
      r.tradeState,
      r.bankType,
      r.currency,
      yuan(r.settlementTotal),
      yuan(r.coupon),
      r.refundId,
      r.outRefundNo,
      yuan(r.refund),
      yuan(r.couponRefund),
      r.refundType,
      r.refundStatus,
      r.body,
      r.attach,
      unitsToDecimal(r.feeMilliFen, MILLI_FEN_SCALE),
      r.rate,
      yuan(r.total),
      yuan(r.requestedRefund),
      r.rateNote,
    ];
    lines.push(cells.map((c) => `\`${clean(c)}`).join(','));
  }
  const s = summarize(rows);
  lines.push(BILL_SUMMARY_COLUMNS.join(','));
  lines.push(
    [
      javaDouble(s.count, 0),
      javaDouble(s.settlementTotal, 2),
      javaDouble(s.refundTotal, 2),
      javaDouble(s.couponRefundTotal, 2),
      javaDouble(s.feeTotalMilliFen, MILLI_FEN_SCALE),
      javaDouble(s.orderTotal, 2),
      javaDouble(s.requestedRefundTotal, 2),
    ]
      .map((c) => `\`${c}`)
      .join(','),
  );
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
