import type { AlipayBillRow } from '../../channels/alipay/protocol/bill-csv.js';
import { alipayTime, chinaDate } from '../../channels/alipay/protocol/time.js';
import type { SandboxBilling } from '../billing.js';

/** The trades made behind JuhePay's back (POST /sandbox/bills/trades) as rows of the day's bill. */
export function extraBillRows(book: SandboxBilling, period: string): AlipayBillRow[] {
  return book
    .extraTrades('alipay')
    .filter((e) => chinaDate(e.at).startsWith(period))
    .map((e) => ({
      tradeNo: e.channelTradeNo,
      outTradeNo: e.outTradeNo,
      type: 'trade',
      subject: 'outside JuhePay',
      createdAt: alipayTime(e.at),
      finishedAt: alipayTime(e.at),
      storeId: '',
      buyerAccount: '',
      orderAmount: e.amount,
      receivedAmount: e.amount,
      alipayDiscount: 0,
      merchantDiscount: 0,
      refundRequestNo: '',
      serviceFee: e.fee,
      remark: '',
    }));
}
