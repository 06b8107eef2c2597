import { digitsToFen } from './amounts.js';
import { LineSplitter, type RawLine } from './lines.js';
import { BillParseError, type BillParseOptions, type BillTotals, type ChannelBillRecord } from './types.js';
import { unzipStream } from './zip-stream.js';
import { ZM_MIN_LINE_BYTES, zmField } from './unionpay-zm.js';

/**
 * UnionPay's ACP day file: the file-transfer reply (txnType 76, fileType 00) carries a ZIP whose
 * `…ZM_<merId>` entry lists the day's transactions (layout in unionpay-zm.ts) and whose `ZME_` entry
 * lists exceptions. The ZM file has no totals or checksum of its own: the ZIP's integrity and each
 * line's length are what tell a whole file from a cut one.
 *
 * 交易类型 (txnType, CHANNELS.md §3.1): 01 consumption (a trade), 04 return (退货, a refund), 31
 * consumption cancellation (消费撤销, returns the whole trade: a refund). Any other kind fails the
 * file rather than being skipped, because it would move money the matcher cannot place.
 */

export interface UnionpayBillOptions extends BillParseOptions {
  /** the file's settlement date `yyyy-MM-dd`: the ZM times carry no year */
  settleDate: string;
}

/** `MMDDhhmmss` → `yyyy-MM-dd HH:mm:ss`, taking the year of the settlement date (or the one before) */
function fullTime(mmddhhmmss: string, settleDate: string, line: number): string {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(mmddhhmmss);
  if (!m) throw new BillParseError(`交易传输时间: not MMDDhhmmss: ${JSON.stringify(mmddhhmmss)}`, line);
  const settleYear = Number(settleDate.slice(0, 4));
  const year =
    `${m[1]}${m[2]}` > settleDate.slice(5, 7) + settleDate.slice(8, 10) ? settleYear - 1 : settleYear;
  return `${year}-${m[1]}-${m[2]} ${m[3]}:${m[4]}:${m[5]}`;
}

/** 13-byte signed amounts: an optional C (credit) / D (debit) before 12 digits of fen */
function signedFen(text: string, column: string, line: number): number {
  const m = /^([CD])?(\d{1,12})$/.exec(text);
  if (!m) throw new BillParseError(`${column}: not an amount: ${JSON.stringify(text)}`, line);
  return Number(m[2]);
}

export function zmRecord(raw: RawLine, settleDate: string): ChannelBillRecord | undefined {
  const { bytes, number: line } = raw;
  if (bytes.toString('latin1').trim() === '') return undefined;
  if (bytes.length < ZM_MIN_LINE_BYTES) {
    throw new BillParseError(
      `truncated line: ${bytes.length} bytes, a ZM line has at least ${ZM_MIN_LINE_BYTES}`,
      line,
    );
  }
  const txnType = zmField(bytes, '交易类型');
  const base = {
    channelMerchantId: zmField(bytes, '商户代码'),
    amount: digitsToFen(zmField(bytes, '交易金额'), '交易金额', line),
    settledAmount: signedFen(zmField(bytes, '结算金额'), '结算金额', line),
    fee: signedFen(zmField(bytes, '商户手续费'), '商户手续费', line),
    time: fullTime(zmField(bytes, '交易传输时间'), settleDate, line),
    status: 'succeeded' as const,
    line,
  };
  if (txnType === '01') {
    return {
      ...base,
      kind: 'trade',
      outTradeNo: zmField(bytes, '商户订单号'),
      channelTradeNo: zmField(bytes, '查询流水号'),
    };
  }
  if (txnType === '04' || txnType === '31') {
    return {
      ...base,
      kind: 'refund',
      outTradeNo: zmField(bytes, '原始交易订单号'),
      channelTradeNo: zmField(bytes, '原交易查询流水号'),
      outRefundNo: zmField(bytes, '商户订单号'),
      channelRefundNo: zmField(bytes, '查询流水号'),
    };
  }
  throw new BillParseError(`unknown row kind: 交易类型 ${JSON.stringify(txnType)}`, line);
}

function isZmEntry(name: string): boolean {
  return /ZM_/.test(name.split('/').pop() ?? name);
}

/** Streams the records of a ZM file (already out of its archive). */
export async function* parseUnionpayZm(
  lines: AsyncIterable<RawLine> | Iterable<RawLine>,
  options: UnionpayBillOptions,
): AsyncGenerator<ChannelBillRecord> {
  const totals: BillTotals = { tradeCount: 0, refundCount: 0, tradeAmount: 0, refundAmount: 0, feeTotal: 0 };
  for await (const raw of lines) {
    const record = zmRecord(raw, options.settleDate);
    if (!record) continue;
    if (record.kind === 'trade') {
      totals.tradeCount++;
      totals.tradeAmount += record.amount;
      totals.feeTotal += record.fee;
    } else {
      totals.refundCount++;
      totals.refundAmount += record.amount;
      totals.feeTotal -= record.fee;
    }
    yield record;
  }
  options.onTotals?.(totals);
}

/** Streams the records of the day-file ZIP as downloaded (its ZM entry; ZME exceptions are not trades). */
export async function* parseUnionpayBill(
  source: AsyncIterable<Uint8Array>,
  options: UnionpayBillOptions,
): AsyncGenerator<ChannelBillRecord> {
  const splitter = new LineSplitter();
  let zmSeen = false;
  let zmDone = false;
  const lines: RawLine[] = [];
  async function* zmLines(): AsyncGenerator<RawLine> {
    for await (const { name, data, final } of unzipStream(source)) {
      if (!isZmEntry(name)) continue;
      if (zmDone) throw new BillParseError(`the archive holds more than one ZM file (${name})`);
      zmSeen = true;
      lines.push(...splitter.push(data));
      if (final) {
        lines.push(...splitter.end());
        zmDone = true;
      }
      yield* lines.splice(0);
    }
  }
  yield* parseUnionpayZm(zmLines(), {
    ...options,
    onTotals: (totals) => {
      if (!zmSeen) throw new BillParseError('the archive holds no ZM file');
      if (!zmDone) throw new BillParseError('the archive holds no complete ZM file');
      options.onTotals?.(totals);
    },
  });
}
