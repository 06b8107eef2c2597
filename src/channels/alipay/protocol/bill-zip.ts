import { unzipSync, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { sum, toYuanString } from '../../../core/money.js';
import {
  BillFormatError,
  buildBillCsv,
  chineseDate,
  parseBillCsv,
  type AlipayBill,
  type AlipayBillRow,
} from './bill-csv.js';

/**
 * The downloaded bill: a ZIP holding two GBK CSVs, `<pid>_<yyyyMMdd>_业务明细.csv` (details) and
 * `<pid>_<yyyyMMdd>_业务明细(汇总).csv` (per-store summary). Real archives store the names in GBK
 * without the UTF-8 flag; fflate writes UTF-8 names with the flag, and the reader accepts both.
 */

export function billFileStem(pid: string, date: string): string {
  return `${pid}_${date.replaceAll('-', '')}`;
}

const SUMMARY_COLUMNS = [
  '门店编号',
  '门店名称',
  '交易订单总笔数',
  '退款订单总笔数',
  '订单金额（元）',
  '商家实收（元）',
  '支付宝优惠（元）',
  '商家优惠（元）',
  '卡消费金额（元）',
  '服务费（元）',
  '分润（元）',
  '实收净额（元）',
];

function summaryLine(label: string, rows: readonly AlipayBillRow[]): string {
  const total = (pick: (r: AlipayBillRow) => number) => toYuanString(sum(rows.map(pick)));
  const received = sum(rows.map((r) => r.receivedAmount));
  const fee = sum(rows.map((r) => r.serviceFee));
  return [
    label,
    '',
    rows.filter((r) => r.type === 'trade').length,
    rows.filter((r) => r.type === 'refund').length,
    total((r) => r.orderAmount),
    total((r) => r.receivedAmount),
    total((r) => r.alipayDiscount),
    total((r) => r.merchantDiscount),
    '0.00',
    total((r) => r.serviceFee),
    '0.00',
    toYuanString(received - fee),
  ].join(',');
}

export function buildSummaryCsv(bill: Omit<AlipayBill, 'totals'>): string {
  const stores = [...new Set(bill.rows.map((r) => r.storeId))];
  return [
    '#支付宝业务汇总查询',
    `#账号：[${bill.account}]`,
    `#起始日期：[${chineseDate(bill.date)} 00:00:00]`,
    '#-----------------------------------------业务汇总列表----------------------------------------',
    SUMMARY_COLUMNS.join(','),
    ...stores.map((s) =>
      summaryLine(
        s,
        bill.rows.filter((r) => r.storeId === s),
      ),
    ),
    summaryLine('合计', bill.rows),
    '#-----------------------------------------业务汇总列表结束------------------------------------',
    `#导出时间：[${chineseDate(bill.exportedAt)}]`,
    '',
  ].join('\r\n');
}

export function buildBillZip(bill: Omit<AlipayBill, 'totals'>): Uint8Array {
  const stem = billFileStem(bill.account, bill.date);
  return zipSync({
    [`${stem}_业务明细.csv`]: new Uint8Array(iconv.encode(buildBillCsv(bill), 'gbk')),
    [`${stem}_业务明细(汇总).csv`]: new Uint8Array(iconv.encode(buildSummaryCsv(bill), 'gbk')),
  });
}

/** fflate hands back non-flagged names as latin-1: re-read those bytes as GBK */
function entryName(name: string): string {
  const latin1 = [...name].every((c) => c.charCodeAt(0) <= 0xff);
  return latin1 ? iconv.decode(Buffer.from(name, 'latin1'), 'gbk') : name;
}

/** Opens a downloaded bill archive and parses its detail file. Throws BillFormatError when it is not one. */
export function parseBillZip(bytes: Uint8Array): AlipayBill {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw new BillFormatError(`not a ZIP archive: ${error instanceof Error ? error.message : String(error)}`);
  }
  const detail = Object.entries(files).find(([name]) => entryName(name).endsWith('_业务明细.csv'));
  if (!detail) throw new BillFormatError('the archive holds no 业务明细.csv');
  return parseBillCsv(iconv.decode(Buffer.from(detail[1]), 'gbk'));
}
