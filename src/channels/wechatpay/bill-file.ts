import type { ChannelBillFile } from '../channel.js';
import type { WechatClient } from './client.js';
import { fetchTradeBill } from './bill.js';
import type { WechatpaySettings } from './config.js';

/**
 * The raw trade bill for reconciliation: one per service provider and sub-merchant (the bill is
 * asked with sub_mchid), SHA1-checked on download; reconciliation checks it again when it parses
 * the stored copy.
 */
export function wechatBillIdentity(s: Pick<WechatpaySettings, 'spMchid' | 'subMchid'>): string {
  return `wechatpay:${s.spMchid}/${s.subMchid}`;
}

export async function downloadTradeBillFile(c: WechatClient, date: string): Promise<ChannelBillFile | null> {
  const fetched = await fetchTradeBill(c, date);
  if (!fetched) return null;
  return {
    format: 'wechatpay_tradebill',
    date,
    fileName: `${c.settings.subMchid}_${date}_tradebill.csv`,
    bytes: fetched.bytes,
    sha1: fetched.sha1,
  };
}
