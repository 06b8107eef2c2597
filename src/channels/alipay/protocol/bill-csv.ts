import { fromYuanString, sum, toYuanString, type Fen } from '../../../core/money.js';

/**
 * The trade bill (业务明细) as text: `#` metadata lines, the 25-column header, one row per trade or
 * refund (refund amounts negative, 退款批次号 = out_request_no), an end marker and `#` totals.
 * Alipay pads id-like values with a trailing `\t` (so spreadsheets keep the digits); the parser
 * strips it and reads columns by header name, because bill versions add and move columns.
 */

export const BILL_COLUMNS = [
  '支付宝交易号',
  '商户订单号',
  '业务类型',
  '商品名称',
  '创建时间',
  '完成时间',
  '门店编号',
  '门店名称',
  '操作员',
  '终端号',
  '对方账户',
  '订单金额（元）',
  '商家实收（元）',
  '支付宝红包（元）',
  '集分宝（元）',
  '支付宝优惠（元）',
  '商家优惠（元）',
  '券核销金额（元）',
  '券名称',
  '商家红包消费金额（元）',
  '卡消费金额（元）',
  '退款批次号/请求号',
  '服务费（元）',
  '分润（元）',
  '备注',
] as const;

export interface AlipayBillRow {
  tradeNo: string;
  outTradeNo: string;
  type: 'trade' | 'refund';
  subject: string;
  createdAt: string;
  finishedAt: string;
  storeId: string;
  buyerAccount: string;
  orderAmount: Fen;
  receivedAmount: Fen;
  alipayDiscount: Fen;
  merchantDiscount: Fen;
  refundRequestNo: string;
  serviceFee: Fen;
  remark: string;
}

export interface AlipayBillTotals {
  tradeCount: number;
  tradeReceived: Fen;
  refundCount: number;
  refundReceived: Fen;
}

export interface AlipayBill {
  account: string;
  /** `yyyy-MM-dd` China date */
  date: string;
  rows: AlipayBillRow[];
  totals: AlipayBillTotals;
  exportedAt: string;
}

const LIST_START = `#-----------------------------------------业务明细列表----------------------------------------`;
const LIST_END = `#-----------------------------------------业务明细列表结束------------------------------------`;
const TYPE_TEXT = { trade: '交易', refund: '退款' } as const;

/** `2026-01-02` → `2026年01月02日`, and the same for `yyyy-MM-dd HH:mm:ss` */
export function chineseDate(text: string): string {
  return text.replace(/^(\d{4})-(\d{2})-(\d{2})/, '$1年$2月$3日');
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** no quoting in Alipay bills: keep separators out of free text */
function text(value: string): string {
  return value.replace(/[,\r\n]/g, '，');
}

export function computeTotals(rows: readonly AlipayBillRow[]): AlipayBillTotals {
  const trades = rows.filter((r) => r.type === 'trade');
  const refunds = rows.filter((r) => r.type === 'refund');
  return {
    tradeCount: trades.length,
    tradeReceived: sum(trades.map((r) => r.receivedAmount)),
    refundCount: refunds.length,
    refundReceived: sum(refunds.map((r) => r.receivedAmount)),
  };
}

export function buildBillCsv(bill: Omit<AlipayBill, 'totals'>): string {
  const y = toYuanString;
  const rows = bill.rows.map((r) =>
    [
      `${r.tradeNo}\t`,
      `${r.outTradeNo}\t`,
      TYPE_TEXT[r.type],
      text(r.subject),
      r.createdAt,
      r.finishedAt,
      text(r.storeId),
      '',
      '',
      '',
      `${text(r.buyerAccount)}\t`,
      y(r.orderAmount),
      y(r.receivedAmount),
      '0.00',
      '0.00',
      y(r.alipayDiscount),
      y(r.merchantDiscount),
      '0.00',
      '',
      '0.00',
      '0.00',
      r.refundRequestNo ? `${r.refundRequestNo}\t` : '',
      y(r.serviceFee),
      '0.00',
      text(r.remark),
    ].join(','),
  );
  const t = computeTotals(bill.rows);
  const discount = (type: AlipayBillRow['type']) =>
    y(sum(bill.rows.filter((r) => r.type === type).map((r) => r.merchantDiscount)));
  return [
    '#支付宝业务明细查询',
    `#账号：[${bill.account}]`,
    `#起始日期：[${chineseDate(bill.date)} 00:00:00]   终止日期：[${chineseDate(nextDay(bill.date))} 00:00:00]`,
    LIST_START,
    BILL_COLUMNS.join(','),
    ...rows,
    LIST_END,
    `#交易合计：${t.tradeCount}笔，商家实收共${y(t.tradeReceived)}元，商家优惠共${discount('trade')}元`,
    `#退款合计：${t.refundCount}笔，商家实收共${y(t.refundReceived)}元，商家优惠共${discount('refund')}元`,
    `#导出时间：[${chineseDate(bill.exportedAt)}]`,
    '',
  ].join('\r\n');
}

export class BillFormatError extends Error {}

const clean = (value: string | undefined) => (value ?? '').replace(/\t+$/, '').trim();

function money(row: Record<string, string>, column: string): Fen {
  const value = clean(row[column]);
  if (value === '') return 0;
  try {
    return fromYuanString(value);
  } catch {
    throw new BillFormatError(`column ${column}: not an amount: ${JSON.stringify(value)}`);
  }
}

function footer(line: string | undefined, label: string): { count: number; received: Fen } | undefined {
  const m =
    line === undefined ? null : new RegExp(`^#${label}：(\\d+)笔(?:，商家实收共(-?[\\d.]+)元)?`).exec(line);
  return m ? { count: Number(m[1]), received: m[2] ? fromYuanString(m[2]) : 0 } : undefined;
}

/** Parses the detail CSV (already decoded to text). Throws BillFormatError on a broken file. */
export function parseBillCsv(csv: string): AlipayBill {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
  const account = /^#账号：\[(.*)\]/.exec(lines.find((l) => l.startsWith('#账号：')) ?? '')?.[1] ?? '';
  const date = /起始日期：\[(\d{4})年(\d{2})月(\d{2})日/.exec(
    lines.find((l) => l.includes('起始日期')) ?? '',
  );
  const headerAt = lines.findIndex((l) => !l.startsWith('#') && l.includes('支付宝交易号'));
  if (headerAt < 0) throw new BillFormatError('no column header line');
  const header = lines[headerAt]!.split(',').map(clean);
  for (const column of ['支付宝交易号', '商户订单号', '业务类型', '订单金额（元）', '商家实收（元）']) {
    if (!header.includes(column)) throw new BillFormatError(`missing column ${column}`);
  }
  const rows: AlipayBillRow[] = [];
  let i = headerAt + 1;
  for (; i < lines.length && !lines[i]!.startsWith('#'); i++) {
    if (lines[i]!.trim() === '') continue;
    const cells = lines[i]!.split(',');
    const row = Object.fromEntries(header.map((h, k) => [h, cells[k] ?? '']));
    const type = clean(row['业务类型']);
    if (type !== '交易' && type !== '退款')
      throw new BillFormatError(`line ${i + 1}: unknown 业务类型 ${JSON.stringify(type)}`);
    rows.push({
      tradeNo: clean(row['支付宝交易号']),
      outTradeNo: clean(row['商户订单号']),
      type: type === '交易' ? 'trade' : 'refund',
      subject: clean(row['商品名称']),
      createdAt: clean(row['创建时间']),
      finishedAt: clean(row['完成时间']),
      storeId: clean(row['门店编号']),
      buyerAccount: clean(row['对方账户']),
      orderAmount: money(row, '订单金额（元）'),
      receivedAmount: money(row, '商家实收（元）'),
      alipayDiscount: money(row, '支付宝优惠（元）'),
      merchantDiscount: money(row, '商家优惠（元）'),
      refundRequestNo: clean(row['退款批次号/请求号']),
      serviceFee: money(row, '服务费（元）'),
      remark: clean(row['备注']),
    });
  }
  if (!lines[i]?.includes('业务明细列表结束')) throw new BillFormatError('no end-of-list marker');
  const tail = lines.slice(i + 1);
  const trade = footer(
    tail.find((l) => l.startsWith('#交易合计')),
    '交易合计',
  );
  const refund = footer(
    tail.find((l) => l.startsWith('#退款合计')),
    '退款合计',
  );
  const computed = computeTotals(rows);
  const exported = /^#导出时间：\[(.*)\]/.exec(tail.find((l) => l.startsWith('#导出时间')) ?? '');
  return {
    account,
    date: date ? `${date[1]}-${date[2]}-${date[3]}` : '',
    rows,
    totals: {
      tradeCount: trade?.count ?? computed.tradeCount,
      tradeReceived: trade?.received ?? computed.tradeReceived,
      refundCount: refund?.count ?? computed.refundCount,
      refundReceived: refund?.received ?? computed.refundReceived,
    },
    exportedAt: exported?.[1] ?? '',
  };
}
