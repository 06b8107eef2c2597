import { toYuanString } from '../../core/money.js';
import {
  ChannelError,
  type Channel,
  type ChannelConfig,
  type RefundRequest,
  type RefundStatus,
} from '../channel.js';
import { callGateway, download, type GatewayCall, type GatewayOptions } from './client.js';
import { billRecordsOf, classifyResult, errorOf, okField, refundStatusOfQuery } from './status.js';
import { alipaySettings, type AlipaySettings } from './config.js';
import { BillFormatError } from './protocol/bill-csv.js';
import { parseBillZip } from './protocol/bill-zip.js';

/** After the payment: refunds (trade.refund, fastpay.refund.query) and the daily trade bill. */

export function alipayRefundsAndBills(
  gw: GatewayOptions,
): Pick<Channel, 'refund' | 'refundQuery' | 'downloadBill'> {
  const call = (s: AlipaySettings, method: string, c: GatewayCall) => callGateway(s, method, c, gw);

  async function refundQuery(config: ChannelConfig, refund: RefundRequest): Promise<RefundStatus> {
    const s = alipaySettings(config);
    const answer = await call(s, 'alipay.trade.fastpay.refund.query', {
      biz: { out_trade_no: refund.outTradeNo, out_request_no: refund.outRefundNo },
    });
    const cls = classifyResult(answer);
    if (cls.type === 'not_found') return { state: 'not_found' };
    if (cls.type !== 'ok') throw errorOf(cls, 'alipay.trade.fastpay.refund.query');
    return refundStatusOfQuery(answer);
  }

  async function refund(config: ChannelConfig, request: RefundRequest): Promise<RefundStatus> {
    const s = alipaySettings(config);
    const answer = await call(s, 'alipay.trade.refund', {
      biz: {
        out_trade_no: request.outTradeNo,
        ...(request.channelTradeNo ? { trade_no: request.channelTradeNo } : {}),
        refund_amount: toYuanString(request.amount),
        out_request_no: request.outRefundNo, // the same number on a retry: Alipay refunds once
        ...(request.reason ? { refund_reason: request.reason.slice(0, 256) } : {}),
      },
    });
    const cls = classifyResult(answer);
    if (cls.type === 'ok') {
      // fund_change N: this request moved no money now (a repeat, or not done): the refund query says which
      if (answer.fund_change === 'Y') return { state: 'succeeded' };
      const found = await refundQuery(config, request);
      return found.state === 'not_found' ? { state: 'pending' } : found;
    }
    if (cls.type === 'unknown' || (cls.type === 'refused' && cls.kind === 'config'))
      throw errorOf(cls, 'alipay.trade.refund');
    if (cls.type === 'not_found')
      return { state: 'failed', code: 'ACQ.TRADE_NOT_EXIST', message: 'trade not found' };
    if (cls.type === 'paying') return { state: 'pending' };
    return { state: 'failed', code: cls.code, message: cls.message };
  }

  return {
    refund,
    refundQuery,
    async downloadBill(config, date) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new ChannelError('rejected', `alipay bill: date must be yyyy-MM-dd, got ${date}`, 'bill_date');
      const s = alipaySettings(config);
      const method = 'alipay.data.dataservice.bill.downloadurl.query';
      const answer = await call(s, method, { biz: { bill_type: 'trade', bill_date: date } });
      const url = okField(answer, method, 'bill_download_url');
      try {
        return billRecordsOf(parseBillZip(await download(url, gw)));
      } catch (error) {
        if (error instanceof BillFormatError)
          throw new ChannelError('system_error', `alipay bill ${date}: ${error.message}`, 'bill_format');
        throw error;
      }
    },
  };
}
