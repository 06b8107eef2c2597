import { createHash } from 'node:crypto';
import { parseUnits, unitsToFen, yuanToFen } from './amounts.js';
import { LineSplitter, type RawLine } from './lines.js';
import {
  BillParseError,
  type BillParseOptions,
  type BillTotals,
  type ChannelBillRecord,
  type ChannelRecordStatus,
} from './types.js';

/**
 * WeChat Pay's trade bill (`GET /v3/bill/tradebill`, CHANNELS.md §1.8): UTF-8 with BOM, a plain
 * header line, data rows whose every field starts with a backtick, then the totals header
 * `总交易单数,…` and one backtick row of totals. Columns are read by header name because the
 * SUCCESS and REFUND bill types carry fewer columns than ALL.
 */

const TOTALS_HEADER = '总交易单数';
const REQUIRED = [
  '交易时间',
  '微信订单号',
  '商户订单号',
  '特约商户号',
  '交易状态',
  '订单金额',
  '应结订单金额',
  '手续费',
];
const REFUND_COLUMNS = ['商户退款单号', '微信退款单号', '申请退款金额', '退款金额', '退款状态'];

const TRADE_STATUS: Record<string, ChannelRecordStatus | 'refund'> = {
  SUCCESS: 'succeeded',
  REFUND: 'refund',
  REVOKED: 'closed',
};
const REFUND_STATUS: Record<string, ChannelRecordStatus> = {
  SUCCESS: 'succeeded',
  PROCESSING: 'processing',
  REFUNDCLOSE: 'closed',
  CHANGE: 'failed',
};

export interface WechatBillOptions extends BillParseOptions {
  /** `hash_value` of the tradebill reply (hex SHA1 of the downloaded bytes); checked at the end */
  sha1?: string;
}

type Columns = Map<string, number>;

function backtickFields(text: string): string[] {
  return text.slice(1).split(',`');
}

function columnsOf(headerText: string): Columns {
  const names = headerText.replace(/^\uFEFF/, '').split(',');
  for (const name of REQUIRED) {
    if (!names.includes(name))
      throw new BillParseError(`not a WeChat trade bill: the header has no ${name} column`, 1);
  }
  return new Map(names.map((name, i) => [name, i]));
}

function rowOf(fields: string[], columns: Columns, line: number): ChannelBillRecord {
  const get = (name: string) => {
    const i = columns.get(name);
    return i === undefined ? '' : fields[i]!;
  };
  const state = TRADE_STATUS[get('交易状态')];
  if (state === undefined)
    throw new BillParseError(`unknown 交易状态 ${JSON.stringify(get('交易状态'))}`, line);
  const base = {
    outTradeNo: get('商户订单号'),
    channelTradeNo: get('微信订单号'),
    channelMerchantId: get('特约商户号'),
    time: get('交易时间'),
    line,
  };
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(base.time)) {
    throw new BillParseError(`交易时间: not a time: ${JSON.stringify(base.time)}`, line);
  }
  const fee = yuanToFen(get('手续费'), '手续费', line, 5);
  if (state !== 'refund') {
    return {
      ...base,
      kind: 'trade',
      amount: yuanToFen(get('订单金额'), '订单金额', line),
      settledAmount: yuanToFen(get('应结订单金额'), '应结订单金额', line),
      fee,
      status: state,
    };
  }
  for (const name of REFUND_COLUMNS) {
    if (!columns.has(name))
      throw new BillParseError(`a refund row, but the header has no ${name} column`, line);
  }
  const refundStatus = REFUND_STATUS[get('退款状态')];
  if (refundStatus === undefined)
    throw new BillParseError(`unknown 退款状态 ${JSON.stringify(get('退款状态'))}`, line);
  return {
    ...base,
    kind: 'refund',
    outRefundNo: get('商户退款单号'),
    channelRefundNo: get('微信退款单号'),
    amount: yuanToFen(get('申请退款金额'), '申请退款金额', line),
    settledAmount: yuanToFen(get('退款金额'), '退款金额', line),
    // refund rows show the returned fee negative in real bills and 0 in the sample: keep the size
    fee: Math.abs(fee),
    status: refundStatus,
  };
}

/** Running sums in exact 10^-5 yuan, compared with the declared totals at the end. */
class Sums {
  rows = 0;
  trades = 0;
  refunds = 0;
  settled = 0;
  refunded = 0;
  fees = 0;
  orderTotal = 0;
  refundAsked = 0;
  /** after rowOf accepted the row, so every amount here already parsed */
  add(fields: string[], columns: Columns): void {
    const units = (name: string) => {
      const i = columns.get(name);
      return i === undefined ? 0 : (parseUnits(fields[i]!) ?? 0);
    };
    this.rows++;
    this.settled += units('应结订单金额');
    this.refunded += units('退款金额');
    this.fees += units('手续费');
    this.orderTotal += units('订单金额');
    this.refundAsked += units('申请退款金额');
  }
}

const toFen = unitsToFen;

function checkTotals(fields: string[], names: string[], sums: Sums, line: number): BillTotals {
  const declared = new Map(names.map((n, i) => [n, fields[i] ?? '']));
  const count = Number(declared.get('总交易单数'));
  if (!Number.isInteger(count))
    throw new BillParseError(`总交易单数: not a count: ${declared.get('总交易单数')}`, line);
  if (count !== sums.rows) {
    throw new BillParseError(
      `the totals declare ${count} rows but the file holds ${sums.rows}: truncated or altered`,
      line,
    );
  }
  const pairs: [string, number][] = [
    ['应结订单总金额', sums.settled],
    ['退款总金额', sums.refunded],
    ['手续费总金额', sums.fees],
    ['订单总金额', sums.orderTotal],
    ['申请退款总金额', sums.refundAsked],
  ];
  for (const [name, sum] of pairs) {
    if (!Number.isSafeInteger(sum))
      throw new BillParseError(`${name}: the rows' sum is beyond exact arithmetic`, line);
    const text = declared.get(name);
    if (text === undefined) continue;
    if (yuanToFen(text, name, line, 5) !== toFen(sum)) {
      throw new BillParseError(`${name} ${text} differs from the rows' sum ${(sum / 1e5).toFixed(5)}`, line);
    }
  }
  return {
    tradeCount: sums.trades,
    refundCount: sums.refunds,
    tradeAmount: toFen(sums.orderTotal),
    refundAmount: toFen(sums.refundAsked),
    feeTotal: toFen(sums.fees),
  };
}

/**
 * Streams the records of a WeChat trade bill. Throws BillParseError (after or instead of some
 * records) when the file is not whole: consumers keep nothing unless the iteration completes.
 */
export async function* parseWechatBill(
  source: AsyncIterable<Uint8Array>,
  options: WechatBillOptions = {},
): AsyncGenerator<ChannelBillRecord> {
  const hash = createHash('sha1');
  let columns: Columns | undefined;
  let totalsNames: string[] | undefined;
  let totals: BillTotals | undefined;
  const sums = new Sums();
  let lastLine = 0;
  const splitter = new LineSplitter();
  const readLine = ({ bytes, number }: RawLine): ChannelBillRecord | undefined => {
    lastLine = number;
    const text = bytes.toString('utf8');
    if (columns === undefined) {
      columns = columnsOf(text);
    } else if (totals !== undefined || (totalsNames !== undefined && text === '')) {
      if (text.trim() !== '') throw new BillParseError('unexpected content after the totals row', number);
    } else if (totalsNames !== undefined) {
      if (!text.startsWith('`'))
        throw new BillParseError('the totals header is not followed by a totals row', number);
      totals = checkTotals(backtickFields(text), totalsNames, sums, number);
    } else if (text.startsWith(TOTALS_HEADER)) {
      totalsNames = text.split(',');
    } else if (text.startsWith('`')) {
      const fields = backtickFields(text);
      if (fields.length !== columns.size) {
        throw new BillParseError(`${fields.length} fields where the header has ${columns.size}`, number);
      }
      const record = rowOf(fields, columns, number);
      sums.add(fields, columns);
      if (record.kind === 'trade') sums.trades++;
      else sums.refunds++;
      return record;
    } else if (text.trim() !== '') {
      throw new BillParseError(`unknown row kind: ${JSON.stringify(text.slice(0, 40))}`, number);
    }
    return undefined;
  };
  // lines are cut synchronously within each chunk: one await per chunk, not per line
  for await (const chunk of source) {
    hash.update(chunk);
    for (const line of splitter.push(chunk)) {
      const record = readLine(line);
      if (record) yield record;
    }
  }
  for (const line of splitter.end()) {
    const record = readLine(line);
    if (record) yield record;
  }
  if (columns === undefined) throw new BillParseError('empty file');
  if (totals === undefined) {
    throw new BillParseError(
      `truncated: the file ends without its ${TOTALS_HEADER} totals section`,
      lastLine,
    );
  }
  const digest = hash.digest('hex');
  if (options.sha1 !== undefined && digest !== options.sha1.toLowerCase()) {
    throw new BillParseError(`bad checksum: SHA1 ${digest}, the channel announced ${options.sha1}`);
  }
  options.onTotals?.(totals);
}
