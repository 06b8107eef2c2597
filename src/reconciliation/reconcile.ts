import { parseAlipayBill } from './bills/alipay.js';
import { BillParseError, type BillTotals, type ChannelBillRecord } from './bills/types.js';
import { parseUnionpayBill } from './bills/unionpay.js';
import { parseWechatBill } from './bills/wechat.js';
import {
  emptySummary,
  hashMatch,
  tally,
  type MatchOutcome,
  type MatchSummary,
  type PlatformRecord,
} from './match.js';

/**
 * One day's reconciliation of one channel bill, without I/O: the caller hands in the downloaded
 * bytes and JuhePay's records and receives each outcome. This is the seam the wiring plugs into:
 * a channel adapter's `downloadBill` returns a `DownloadedBill`; the store feeds `platform`.
 */

export type BillFormat = 'wechatpay_tradebill' | 'alipay_bill_zip' | 'unionpay_acp_dayfile';

export interface DownloadedBill {
  format: BillFormat;
  /** the trade date `yyyy-MM-dd` (China) the bill covers; UnionPay's settlement date */
  date: string;
  /** the raw file as downloaded (stored as is before parsing) */
  bytes: AsyncIterable<Uint8Array>;
  /** WeChat: the `hash_value` announced with the download URL */
  sha1?: string;
}

export function parseBill(
  bill: DownloadedBill,
  onTotals?: (totals: BillTotals) => void,
): AsyncGenerator<ChannelBillRecord> {
  switch (bill.format) {
    case 'wechatpay_tradebill':
      return parseWechatBill(bill.bytes, { sha1: bill.sha1, onTotals });
    case 'alipay_bill_zip':
      return parseAlipayBill(bill.bytes, { onTotals });
    case 'unionpay_acp_dayfile':
      return parseUnionpayBill(bill.bytes, { settleDate: bill.date, onTotals });
  }
}

export type ReconcileResult =
  | { status: 'completed'; summary: MatchSummary; totals: BillTotals }
  | { status: 'failed'; reason: string; line?: number };

/**
 * Parses and matches with the hash join (the bill in file order, the day's platform records in
 * memory). `onOutcome` sees outcomes as they come; when the result is `failed` the caller must
 * discard them all (write them in a transaction and roll it back): a broken file is used whole or
 * not at all. For small, in-memory checks (tests, tools); the daily run (run.ts) stages the
 * parsed rows and matches them in the database (match-sql.ts), with the same outcomes.
 */
export async function reconcileBill(
  bill: DownloadedBill,
  platform: Iterable<PlatformRecord>,
  onOutcome: (outcome: MatchOutcome) => void | Promise<void>,
): Promise<ReconcileResult> {
  let totals: BillTotals | undefined;
  const records = parseBill(bill, (t) => (totals = t));
  const outcomes = hashMatch(records, platform);
  const summary = emptySummary();
  try {
    for await (const outcome of outcomes) {
      tally(summary, outcome);
      await onOutcome(outcome);
    }
  } catch (error) {
    if (error instanceof BillParseError) return { status: 'failed', reason: error.message, line: error.line };
    throw error;
  }
  if (!totals) return { status: 'failed', reason: 'the bill ended without its totals' };
  return { status: 'completed', summary, totals };
}
