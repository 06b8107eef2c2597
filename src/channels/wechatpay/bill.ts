import { createHash } from 'node:crypto';
import { ChannelError, type BillRecord } from '../channel.js';
import { WechatCallError, type WechatClient } from './client.js';
import { BillFormatError, parseTradeBill, summarize, type TradeBillRow } from './protocol/trade-bill.js';

/**
 * The raw trade bill (ALL) of the configured sub-merchant: apply → download → SHA1 check. `null`
 * when the channel has no bill that day (NO_STATEMENT_EXIST: no trades).
 */
export async function fetchTradeBill(
  c: WechatClient,
  date: string,
): Promise<{ bytes: Buffer; sha1: string } | null> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new ChannelError('rejected', `bill date ${date} is not YYYY-MM-DD`);
  let apply: { hash_type?: string; hash_value?: string; download_url?: string };
  try {
    const answer = await c.v3('get', 'v3/bill/tradebill', undefined, {
      params: { bill_date: date, sub_mchid: c.settings.subMchid, bill_type: 'ALL' },
    });
    apply = (answer.data ?? {}) as typeof apply;
  } catch (error) {
    if (error instanceof WechatCallError && error.channelCode === 'NO_STATEMENT_EXIST') return null;
    throw error;
  }
  const url = new URL(apply.download_url ?? '', c.settings.baseUrl);
  if (!url.pathname.endsWith('/v3/billdownload/file'))
    throw new ChannelError('system_error', `unexpected bill download_url ${apply.download_url ?? ''}`);
  // the download is not signed (the plugin skips it by path, so it is asked for under base_url): its SHA1 stands in
  const file = await c.v3('get', 'v3/billdownload/file', undefined, {
    params: Object.fromEntries(url.searchParams),
    responseType: 'arraybuffer',
  });
  const bytes = Buffer.from(file.data as ArrayBuffer);
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  if (apply.hash_type !== 'SHA1' || sha1 !== apply.hash_value?.toLowerCase())
    throw new ChannelError(
      'system_error',
      `bill ${date}: the download does not match its ${apply.hash_type ?? ''} hash`,
    );
  return { bytes, sha1 };
}

/** The day's trade bill as records: fetched, parsed, the summary must add up. A day without trades is []. */
export async function downloadTradeBill(c: WechatClient, date: string): Promise<BillRecord[]> {
  const fetched = await fetchTradeBill(c, date);
  if (!fetched) return [];
  const { bytes } = fetched;
  try {
    const bill = parseTradeBill(bytes);
    if (JSON.stringify(summarize(bill.rows)) !== JSON.stringify(bill.summary))
      throw new BillFormatError('the summary line does not add up to the rows');
    return billRecordsOf(bill.rows);
  } catch (error) {
    if (error instanceof BillFormatError)
      throw new ChannelError('rejected', `bill ${date}: ${error.message}`, 'BILL_FORMAT');
    throw error;
  }
}

/** round half away from zero: fees on refund rows are negative */
function milliFenToFen(milli: number): number {
  const rounded = Math.sign(milli) * Math.round(Math.abs(milli) / 1000);
  return rounded === 0 ? 0 : rounded;
}

/** 'YYYY-MM-DD HH:mm:ss' Beijing → Date */
function billTime(text: string): Date {
  const at = new Date(`${text.replace(' ', 'T')}+08:00`);
  if (Number.isNaN(at.getTime())) throw new ChannelError('system_error', `bill row has a bad time ${text}`);
  return at;
}

/** Trade bill rows → BillRecords: a REFUND row is a refund (positive amount), any other a payment. */
export function billRecordsOf(rows: readonly TradeBillRow[]): BillRecord[] {
  return rows.map((r) => {
    const refund = r.tradeState === 'REFUND';
    return {
      outTradeNo: r.outTradeNo,
      channelTradeNo: r.transactionId,
      kind: refund ? 'refund' : 'payment',
      ...(refund ? { outRefundNo: r.outRefundNo } : {}),
      amount: refund ? r.refund : r.total,
      fee: milliFenToFen(r.feeMilliFen),
      at: billTime(r.tradeTime),
    };
  });
}
