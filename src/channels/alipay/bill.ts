import { createHash } from 'node:crypto';
import { ChannelError, type Channel, type ChannelConfig } from '../channel.js';
import { callGateway, download, type GatewayOptions } from './client.js';
import { classifyResult, errorOf, okField } from './status.js';
import { alipaySettings, type AlipaySettings } from './config.js';

/**
 * The raw bill for reconciliation: `alipay.data.dataservice.bill.downloadurl.query` (bill_type
 * trade) gives a URL valid 30 s; the download is the ZIP of two GBK CSVs (业务明细 and its 汇总),
 * kept as is (reconciliation stores and parses it). One bill per app and merchant authorisation
 * (app_auth_token: the bill is the authorising merchant's). A day without a bill is null.
 */

export function alipayBillIdentity(s: AlipaySettings): string {
  // the token is a secret: the identity names it by a digest
  const who =
    s.sellerId ??
    s.authAppId ??
    (s.appAuthToken ? createHash('sha256').update(s.appAuthToken).digest('hex').slice(0, 16) : 'self');
  return `alipay:${s.appId}/${who}`;
}

export function alipayBillFiles(gw: GatewayOptions): Pick<Channel, 'billIdentity' | 'downloadBillFile'> {
  return {
    billIdentity: (config: ChannelConfig) => alipayBillIdentity(alipaySettings(config)),
    async downloadBillFile(config, date) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new ChannelError('rejected', `alipay bill: date must be yyyy-MM-dd, got ${date}`, 'bill_date');
      const s = alipaySettings(config);
      const method = 'alipay.data.dataservice.bill.downloadurl.query';
      const answer = await callGateway(s, method, { biz: { bill_type: 'trade', bill_date: date } }, gw);
      const cls = classifyResult(answer);
      if ('code' in cls && cls.code === 'isp.bill_not_exist') return null;
      if (cls.type !== 'ok') throw errorOf(cls, method);
      const url = okField(answer, method, 'bill_download_url');
      const name = /downloadFileName=([^&]+)/.exec(url)?.[1];
      return {
        format: 'alipay_bill_zip',
        date,
        ...(name ? { fileName: decodeURIComponent(name) } : {}),
        bytes: await download(url, gw),
      };
    },
  };
}
