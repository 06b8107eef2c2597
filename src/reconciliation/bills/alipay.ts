import iconv from 'iconv-lite';
import { yuanToFen } from './amounts.js';
import { LineSplitter, type RawLine } from './lines.js';
import { BillParseError, type BillParseOptions, type BillTotals, type ChannelBillRecord } from './types.js';
import { unzipStream } from './zip-stream.js';

/**
 * Alipay's trade bill (`alipay.data.dataservice.bill.downloadurl.query`, CHANNELS.md §2.7): a ZIP
 * of two GBK CSVs, `<pid>_<yyyyMMdd>_业务明细.csv` (one row per trade or refund between `#` metadata
 * and the list markers, then `#交易合计` / `#退款合计`) and `…_业务明细(汇总).csv` (per store, then a
 * `合计` line). Both totals are checked against the rows; columns are read by header name.
 * The text layout is the one `channels/alipay/protocol/bill-csv.ts` writes and reads whole.
 */

const REQUIRED = [
  '支付宝交易号',
  '商户订单号',
  '业务类型',
  '完成时间',
  '订单金额（元）',
  '商家实收（元）',
  '服务费（元）',
];
const END_MARKER = '业务明细列表结束';
const clean = (value: string | undefined) => (value ?? '').replace(/\t+$/, '').trim();

interface DetailState {
  columns?: Map<string, number>;
  /** the Alipay account (PID) of `#账号：[…]` */
  account: string;
  ended: boolean;
  trades: number;
  refunds: number;
  tradeReceived: number;
  refundReceived: number;
  orderAmount: number;
  fees: number;
  tradeAmount: number;
  refundAmount: number;
  footer: Map<string, { count: number; received: number }>;
}

function newState(): DetailState {
  return {
    account: '',
    ended: false,
    trades: 0,
    refunds: 0,
    tradeReceived: 0,
    refundReceived: 0,
    orderAmount: 0,
    fees: 0,
    tradeAmount: 0,
    refundAmount: 0,
    footer: new Map(),
  };
}

function detailLine(raw: RawLine, state: DetailState): ChannelBillRecord | undefined {
  const text = iconv.decode(raw.bytes, 'gbk').replace(/^\uFEFF/, '');
  const line = raw.number;
  if (state.ended) {
    const m = /^#(交易合计|退款合计)：(\d+)笔(?:，商家实收共(-?[\d.]+)元)?/.exec(text);
    if (m)
      state.footer.set(m[1]!, { count: Number(m[2]), received: m[3] ? yuanToFen(m[3], m[1]!, line) : 0 });
    else if (text.trim() !== '' && !text.startsWith('#'))
      throw new BillParseError('a row after the end of the list', line);
    return undefined;
  }
  if (state.columns === undefined) {
    const account = /^#账号：\[(.*)\]/.exec(text);
    if (account) state.account = account[1]!;
    if (text.startsWith('#') || text.trim() === '') return undefined;
    const names = text.split(',').map(clean);
    for (const name of REQUIRED) {
      if (!names.includes(name))
        throw new BillParseError(`not an Alipay 业务明细: the header has no ${name} column`, line);
    }
    state.columns = new Map(names.map((n, i) => [n, i]));
    return undefined;
  }
  if (text.startsWith('#')) {
    if (!text.includes(END_MARKER))
      throw new BillParseError(`unknown row kind: ${JSON.stringify(text.slice(0, 40))}`, line);
    state.ended = true;
    return undefined;
  }
  if (text.trim() === '') return undefined;
  const cells = text.split(',');
  if (cells.length < state.columns.size) {
    throw new BillParseError(`${cells.length} fields where the header has ${state.columns.size}`, line);
  }
  const columns = state.columns;
  const get = (name: string) => clean(cells[columns.get(name) ?? -1]);
  const money = (name: string) => (get(name) === '' ? 0 : yuanToFen(get(name), name, line));
  const type = get('业务类型');
  if (type !== '交易' && type !== '退款')
    throw new BillParseError(`unknown 业务类型 ${JSON.stringify(type)}`, line);
  const orderAmount = money('订单金额（元）');
  const received = money('商家实收（元）');
  const fee = money('服务费（元）');
  state.orderAmount += orderAmount;
  state.fees += fee;
  const base = {
    outTradeNo: get('商户订单号'),
    channelTradeNo: get('支付宝交易号'),
    channelMerchantId: state.account,
    time: get('完成时间'),
    status: 'succeeded' as const,
    line,
  };
  if (type === '交易') {
    state.trades++;
    state.tradeReceived += received;
    state.tradeAmount += orderAmount;
    return { ...base, kind: 'trade', amount: orderAmount, settledAmount: received, fee };
  }
  state.refunds++;
  state.refundReceived += received;
  state.refundAmount += Math.abs(orderAmount);
  const outRefundNo = get('退款批次号/请求号');
  if (outRefundNo === '') throw new BillParseError('a refund row without 退款批次号/请求号', line);
  return {
    ...base,
    kind: 'refund',
    outRefundNo,
    amount: Math.abs(orderAmount),
    settledAmount: Math.abs(received),
    fee: Math.abs(fee),
  };
}

function checkFooter(state: DetailState): void {
  const expect = [
    ['交易合计', state.trades, state.tradeReceived],
    ['退款合计', state.refunds, state.refundReceived],
  ] as const;
  for (const [label, count, received] of expect) {
    const declared = state.footer.get(label);
    if (!declared) throw new BillParseError(`truncated: the 业务明细 has no #${label} line`);
    if (declared.count !== count || declared.received !== received) {
      throw new BillParseError(
        `#${label} declares ${declared.count} rows / ${declared.received} fen, the rows give ${count} / ${received}`,
      );
    }
  }
}

/** The `合计` line of the 汇总 file must agree with the detail rows. */
function checkSummary(text: string, state: DetailState): void {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines
    .find((l) => !l.startsWith('#') && l.includes('交易订单总笔数'))
    ?.split(',')
    .map(clean);
  const total = lines
    .find((l) => l.startsWith('合计'))
    ?.split(',')
    .map(clean);
  if (!header || !total) throw new BillParseError('the 业务明细(汇总) file has no header or no 合计 line');
  const at = (name: string) => total[header.indexOf(name)] ?? '';
  const declared = {
    trades: Number(at('交易订单总笔数')),
    refunds: Number(at('退款订单总笔数')),
    orderAmount: yuanToFen(at('订单金额（元）'), '汇总 订单金额（元）', 0),
    fees: yuanToFen(at('服务费（元）'), '汇总 服务费（元）', 0),
  };
  for (const key of ['trades', 'refunds', 'orderAmount', 'fees'] as const) {
    if (declared[key] !== state[key]) {
      throw new BillParseError(
        `the 汇总 file says ${key} = ${declared[key]}, the 业务明细 rows give ${state[key]}`,
      );
    }
  }
}

/**
 * Streams the records of an Alipay bill archive. Throws BillParseError when the archive or its
 * files are not whole; consumers keep nothing unless the iteration completes.
 */
export async function* parseAlipayBill(
  source: AsyncIterable<Uint8Array>,
  options: BillParseOptions = {},
): AsyncGenerator<ChannelBillRecord> {
  const state = newState();
  const splitter = new LineSplitter();
  let detailSeen = false;
  let detailDone = false;
  const summary: Buffer[] = [];
  let summaryDone = false;
  for await (const { name, data, final } of unzipStream(source)) {
    if (name.endsWith('_业务明细.csv')) {
      detailSeen = true;
      const lines = final ? [...splitter.push(data), ...splitter.end()] : splitter.push(data);
      for (const raw of lines) {
        const record = detailLine(raw, state);
        if (record) yield record;
      }
      detailDone = final;
    } else if (name.endsWith('_业务明细(汇总).csv')) {
      summary.push(Buffer.from(data)); // one line per store: small
      summaryDone = final;
    }
  }
  if (!detailSeen || !detailDone) throw new BillParseError('the archive holds no complete 业务明细.csv');
  if (state.columns === undefined) throw new BillParseError('the 业务明细 has no column header');
  if (!state.ended) throw new BillParseError(`truncated: the 业务明细 has no ${END_MARKER} marker`);
  checkFooter(state);
  if (!summaryDone) throw new BillParseError('the archive holds no complete 业务明细(汇总).csv');
  checkSummary(iconv.decode(Buffer.concat(summary), 'gbk'), state);
  const totals: BillTotals = {
    tradeCount: state.trades,
    refundCount: state.refunds,
    tradeAmount: state.tradeAmount,
    refundAmount: state.refundAmount,
    feeTotal: state.fees,
  };
  options.onTotals?.(totals);
}
