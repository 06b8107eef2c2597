import { unzipSync, unzlibSync } from 'fflate';
import type { Clock } from '../../core/clock.js';
import { ChannelError, type BillRecord, type ChannelBillFile, type ChannelConfig } from '../channel.js';
import { AcpClient } from './client.js';
import { acpCallError } from './errors.js';
import { acpRequestError, orderIdOfAcp, refundIdOfAcp, settleDateOfDay } from './status.js';
import { unionpaySettings } from './config.js';
import { buildFileRequest } from './protocol/requests.js';
import { formatTxnTime, parseTxnTime } from './protocol/txn-time.js';
import { ZM_MIN_LINE_BYTES, zmField } from './protocol/zm-layout.js';

/**
 * UnionPay's day file (对账文件) from its file-transfer endpoint: not the gateway but
 * `https://filedownload.95516.com/` (test `https://filedownload.test.95516.com/`), as the ACP SDK's
 * `acpsdk.fileTransUrl`. The request is the signed form txnType 76 / txnSubType 01, fileType 00,
 * settleDate MMdd; the answer's `fileContent` is base64 of the zlib-deflated ZIP (`fileName`),
 * which holds `INN…ZM_<merId>` (the day's transactions, fixed width, GBK: zm-layout.ts) and
 * `INN…ZME_<merId>` (exceptions). respCode 98 = no file that day (no transactions).
 *
 * The endpoint: `file_url` in the configuration when set; otherwise derived from base_url
 * (gateway[.test].95516.com → filedownload[.test].95516.com; the sandbox serves it at
 * `<sandbox>/unionpay/filedownload/`).
 */

export function unionpayFileUrl(config: ChannelConfig): string {
  const explicit = config.fields.file_url;
  if (explicit) return explicit.endsWith('/') ? explicit : `${explicit}/`;
  const base = new URL(config.fields.base_url ?? '');
  if (base.hostname === 'gateway.95516.com') return 'https://filedownload.95516.com/';
  if (base.hostname === 'gateway.test.95516.com') return 'https://filedownload.test.95516.com/';
  if (config.fields.sandbox === '1' || config.fields.sandbox === 'true')
    return new URL('filedownload/', base.toString().endsWith('/') ? base : `${base.toString()}/`).toString();
  throw new ChannelError(
    'config',
    'unionpay configuration lacks file_url (the file-transfer endpoint)',
    'file_url',
  );
}

export function unionpayBillIdentity(config: ChannelConfig): string {
  return `unionpay:${config.fields.mer_id ?? ''}`;
}

/** ACP orderIds carry our ids without their prefix: the bill's numbers back to JuhePay's */
export function unionpayBillOrderId(merchantNo: string, kind: 'trade' | 'refund'): string | undefined {
  return kind === 'trade' ? orderIdOfAcp(merchantNo) : refundIdOfAcp(merchantNo);
}

export async function downloadDayFile(
  config: ChannelConfig,
  date: string,
  clock: Clock,
  timeoutMs?: number,
): Promise<ChannelBillFile | null> {
  const settleDate = settleDateOfDay(date);
  const settings = unionpaySettings(config, timeoutMs, clock.now());
  const client = new AcpClient({ ...settings.client, baseUrl: unionpayFileUrl(config) });
  let answer;
  try {
    answer = await client.send(
      '',
      buildFileRequest(settings.client.merchant, { txnTime: formatTxnTime(clock.now()), settleDate }),
    );
  } catch (error) {
    throw acpCallError(error, 'file');
  }
  if (answer.respCode === '98') return null;
  const error = acpRequestError(answer.fields, 'file');
  if (error) throw error;
  let zip: Uint8Array;
  try {
    zip = unzlibSync(new Uint8Array(Buffer.from(answer.fields.fileContent ?? '', 'base64')));
  } catch (e) {
    throw new ChannelError(
      'system_error',
      `unionpay file: fileContent is not deflated: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return {
    format: 'unionpay_acp_dayfile',
    date,
    fileName: answer.fields.fileName ?? `${settings.client.merchant.merId}_${settleDate}.zip`,
    bytes: zip,
  };
}

/** The older record view (Channel.downloadBill): the ZM lines of the day file as BillRecords. */
export function billRecordsOfDayFile(file: ChannelBillFile): BillRecord[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(file.bytes);
  } catch (e) {
    throw new ChannelError(
      'system_error',
      `unionpay file: not a ZIP: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const records: BillRecord[] = [];
  for (const [name, data] of Object.entries(entries)) {
    if (!/ZM_/.test(name)) continue;
    for (const text of Buffer.from(data).toString('latin1').split('\r\n')) {
      if (text.trim() === '') continue;
      const line = Buffer.from(text, 'latin1');
      if (line.length < ZM_MIN_LINE_BYTES)
        throw new ChannelError('system_error', 'unionpay file: a truncated ZM line');
      const txnType = zmField(line, '交易类型');
      const mmdd = zmField(line, '交易传输时间');
      const at = parseTxnTime(`${file.date.slice(0, 4)}${mmdd}`) ?? new Date(0);
      const base = {
        channelTradeNo: zmField(line, txnType === '01' ? '查询流水号' : '原交易查询流水号'),
        amount: Number(zmField(line, '交易金额')),
        fee: Number(zmField(line, '商户手续费').replace(/^[CD]/, '')),
        at,
      };
      if (txnType === '01')
        records.push({
          ...base,
          kind: 'payment',
          outTradeNo: orderIdOfAcp(zmField(line, '商户订单号')) ?? '',
        });
      else if (txnType === '04' || txnType === '31')
        records.push({
          ...base,
          kind: 'refund',
          outTradeNo: orderIdOfAcp(zmField(line, '原始交易订单号')) ?? '',
          outRefundNo: txnType === '04' ? refundIdOfAcp(zmField(line, '商户订单号')) : undefined,
        });
      else throw new ChannelError('system_error', `unionpay file: unknown 交易类型 ${txnType}`);
    }
  }
  return records;
}
