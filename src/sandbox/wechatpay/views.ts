import { beijingTime } from '../../channels/wechatpay/protocol/notification.js';
import { tradeStateDesc } from '../../channels/wechatpay/status.js';
import type { Refund, Trade } from './trade-store.js';

/** The JSON WeChat returns for a trade and a refund (partner mode), shared by queries and notifications. */

const BANK_TYPE = 'OTHERS'; // 零钱; WeChat reports the funding source here

export function transactionView(t: Trade): Record<string, unknown> {
  const paid = t.successAt !== undefined;
  return {
    sp_appid: t.spAppid,
    sp_mchid: t.spMchid,
    ...(t.subAppid ? { sub_appid: t.subAppid } : {}),
    sub_mchid: t.subMchid,
    out_trade_no: t.outTradeNo,
    ...(paid || t.tradeType === 'MICROPAY' ? { transaction_id: t.transactionId } : {}),
    trade_type: t.tradeType,
    trade_state: t.state,
    trade_state_desc: tradeStateDesc(t.state),
    ...(paid ? { bank_type: BANK_TYPE, success_time: beijingTime(t.successAt!) } : {}),
    attach: t.attach ?? '',
    ...(paid ? { payer: { ...t.payer } } : {}),
    amount: paid
      ? { total: t.total, payer_total: t.total, currency: 'CNY', payer_currency: 'CNY' }
      : { total: t.total, currency: 'CNY', payer_currency: 'CNY' },
    ...(t.deviceInfo ? { scene_info: { device_id: t.deviceInfo } } : {}),
    promotion_detail: [],
  };
}

export function refundView(r: Refund): Record<string, unknown> {
  return {
    refund_id: r.refundId,
    out_refund_no: r.outRefundNo,
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    channel: r.receivedAccount ? 'OTHER_BANKCARD' : 'ORIGINAL',
    user_received_account: r.receivedAccount ?? '支付用户零钱',
    ...(r.successAt ? { success_time: beijingTime(r.successAt) } : {}),
    create_time: beijingTime(r.createdAt),
    status: r.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: r.total,
      refund: r.refund,
      payer_total: r.total,
      payer_refund: r.refund,
      settlement_refund: r.refund,
      settlement_total: r.total,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

/** REFUND.* notification plaintext (a narrower shape than the query answer) */
export function refundNotifyView(r: Refund, spMchid: string): Record<string, unknown> {
  return {
    sp_mchid: spMchid,
    sub_mchid: r.subMchid,
    out_trade_no: r.outTradeNo,
    transaction_id: r.transactionId,
    out_refund_no: r.outRefundNo,
    refund_id: r.refundId,
    refund_status: r.status,
    ...(r.successAt ? { success_time: beijingTime(r.successAt) } : {}),
    user_received_account: r.receivedAccount ?? '支付用户零钱',
    amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund },
  };
}
