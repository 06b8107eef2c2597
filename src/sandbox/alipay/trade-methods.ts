import { toYuanString } from '../../core/money.js';
import { biz as err, PAYING, SUCCESS, type GatewayResult } from '../../channels/alipay/protocol/codes.js';
import { alipayTime } from '../../channels/alipay/protocol/time.js';
import type { SandboxContext } from '../context.js';
import { amount, BizInputError, optional, outNo, required, tradeRef, type Biz } from './biz.js';
import { sendTradeNotification } from './notify.js';
import { buyerIdForCode, maskedLogonId, type AlipayTrade, type AlipayTradeStore } from './store.js';
import { queryView } from './views.js';

/** The alipay.trade.* methods over the store. Each returns the result code plus its fields. */

export interface MethodCall {
  params: Record<string, string>;
  biz: Biz;
  ctx: SandboxContext;
  store: AlipayTradeStore;
  /** a timer in real milliseconds, cancelled when the sandbox closes */
  /** runs fn after `channelMs` of channel time, on the sandbox clock */
  later(channelMs: number, fn: () => void): void;
}

export interface MethodAnswer {
  /** left out only where Alipay itself sends no code on success (alipay.system.oauth.token) */
  result?: GatewayResult;
  fields?: Record<string, unknown>;
}

export type MethodHandler = (call: MethodCall) => MethodAnswer;

/** how long a buyer takes to enter the password after a 10003, in channel milliseconds */
export const PASSWORD_ENTRY_MS = 10_000;

const y = toYuanString;
const fail = (result: GatewayResult): never => {
  throw new BizInputError(result);
};

/** the common guard for an existing out_trade_no: a different order under the same number is refused */
function existing(call: MethodCall, outTradeNo: string, total: number): AlipayTrade | undefined {
  const trade = call.store.find({ outTradeNo });
  if (!trade) return undefined;
  call.store.settleIfDue(trade);
  if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED') fail(err.tradeHasSuccess());
  if (trade.status === 'TRADE_CLOSED') fail(err.tradeHasClose());
  if (trade.totalAmount !== total) fail(err.contextInconsistent());
  return trade;
}

function found(call: MethodCall): AlipayTrade {
  const trade = call.store.find(tradeRef(call.biz));
  if (!trade) return fail(err.tradeNotExist());
  if (call.store.settleIfDue(trade)) sendTradeNotification(call.ctx, trade);
  return trade;
}

const precreate: MethodHandler = (call) => {
  const outTradeNo = outNo(call.biz, 'out_trade_no');
  const total = amount(call.biz, 'total_amount');
  const subject = required(call.biz, 'subject');
  existing(call, outTradeNo, total);
  const before = call.store.findPrecreated({ outTradeNo });
  if (before && before.totalAmount !== total) fail(err.contextInconsistent());
  const entry = call.store.precreate({
    outTradeNo,
    totalAmount: total,
    subject,
    storeId: optional(call.biz, 'store_id') ?? '',
    notifyUrl: call.params.notify_url,
  });
  return { result: SUCCESS, fields: { out_trade_no: outTradeNo, qr_code: entry.qrCode } };
};

const create: MethodHandler = (call) => {
  const outTradeNo = outNo(call.biz, 'out_trade_no');
  const total = amount(call.biz, 'total_amount');
  const subject = required(call.biz, 'subject');
  const buyerId = optional(call.biz, 'buyer_id');
  const buyerOpenId = optional(call.biz, 'buyer_open_id');
  if (!buyerId && !buyerOpenId) fail(err.invalidParameter('buyer_id 和 buyer_open_id 不能同时为空'));
  const trade =
    existing(call, outTradeNo, total) ??
    call.store.add({
      outTradeNo,
      totalAmount: total,
      subject,
      storeId: optional(call.biz, 'store_id') ?? '',
      productCode: optional(call.biz, 'product_code') ?? 'JSAPI_PAY',
      status: 'WAIT_BUYER_PAY',
      buyerId,
      buyerOpenId,
      notifyUrl: call.params.notify_url,
    });
  return { result: SUCCESS, fields: { out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo } };
};

function payFields(trade: AlipayTrade): Record<string, unknown> {
  return {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_logon_id: trade.buyerId ? maskedLogonId(trade.buyerId) : '',
    total_amount: y(trade.totalAmount),
    receipt_amount: trade.paidAt ? y(trade.totalAmount) : '0.00',
    buyer_pay_amount: trade.paidAt ? y(trade.totalAmount) : '0.00',
    ...(trade.paidAt
      ? {
          gmt_payment: alipayTime(trade.paidAt),
          fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount: y(trade.totalAmount) }],
        }
      : {}),
    buyer_user_id: trade.buyerId,
  };
}

const pay: MethodHandler = (call) => {
  const outTradeNo = outNo(call.biz, 'out_trade_no');
  const scene = required(call.biz, 'scene');
  const authCode = required(call.biz, 'auth_code');
  const subject = required(call.biz, 'subject');
  const total = amount(call.biz, 'total_amount');
  if (scene !== 'bar_code' && scene !== 'security_code') fail(err.invalidParameter('scene'));
  const pending = existing(call, outTradeNo, total);
  if (pending) return { result: PAYING, fields: payFields(pending) }; // the buyer is still entering the password
  const code = call.ctx.paycodes.lookup(authCode);
  if (!code || code.wallet !== 'alipay' || code.used)
    return { result: err.authCodeInvalid(), fields: { out_trade_no: outTradeNo } };
  if (code.scenario === 'insufficient_funds')
    return { result: err.balanceNotEnough(), fields: { out_trade_no: outTradeNo } };
  call.ctx.paycodes.markUsed(authCode);
  const trade = call.store.add({
    outTradeNo,
    totalAmount: total,
    subject,
    storeId: optional(call.biz, 'store_id') ?? '',
    productCode: optional(call.biz, 'product_code') ?? 'FACE_TO_FACE_PAYMENT',
    status: 'WAIT_BUYER_PAY',
    buyerId: buyerIdForCode(authCode),
    notifyUrl: call.params.notify_url,
  });
  if (code.scenario === 'success') {
    call.store.markPaid(trade, trade.buyerId!);
    sendTradeNotification(call.ctx, trade);
    return { result: SUCCESS, fields: payFields(trade) };
  }
  if (code.scenario === 'password') {
    trade.paysAtMs = call.ctx.scheduler.dueIn(PASSWORD_ENTRY_MS);
    call.later(PASSWORD_ENTRY_MS, () => {
      if (call.store.settleIfDue(trade)) sendTradeNotification(call.ctx, trade);
    });
  }
  return { result: PAYING, fields: payFields(trade) }; // `timeout`: the buyer never confirms
};

const query: MethodHandler = (call) => ({ result: SUCCESS, fields: queryView(found(call)) });

const cancel: MethodHandler = (call) => {
  const ref = tradeRef(call.biz);
  const trade = call.store.find(ref);
  if (!trade) {
    const code = ref.outTradeNo ? call.store.findPrecreated({ outTradeNo: ref.outTradeNo }) : undefined;
    if (!code) fail(err.tradeNotExist());
    call.store.voidPrecreated(code!); // an unscanned code: voided so no one can pay it any more
    return { result: SUCCESS, fields: { out_trade_no: ref.outTradeNo, retry_flag: 'N', action: 'close' } };
  }
  call.store.settleIfDue(trade);
  let action = trade.closedBy === 'cancel' && trade.refunds.length > 0 ? 'refund' : 'close';
  if (trade.status === 'WAIT_BUYER_PAY') {
    call.store.markClosed(trade, 'cancel');
    sendTradeNotification(call.ctx, trade);
  } else if (trade.status === 'TRADE_SUCCESS') {
    action = 'refund';
    const left = trade.totalAmount - call.store.refunded(trade);
    call.store.addRefund(trade, { outRequestNo: trade.outTradeNo, amount: left, reason: 'cancel' });
    trade.closedBy = 'cancel';
    sendTradeNotification(call.ctx, trade);
  } else if (trade.status === 'TRADE_FINISHED') fail(err.tradeStatusError());
  return {
    result: SUCCESS,
    fields: { trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, retry_flag: 'N', action },
  };
};

const close: MethodHandler = (call) => {
  const trade = found(call);
  if (trade.status !== 'WAIT_BUYER_PAY') fail(err.tradeStatusError());
  call.store.markClosed(trade, 'close');
  sendTradeNotification(call.ctx, trade);
  return { result: SUCCESS, fields: { trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo } };
};

function refundFields(
  trade: AlipayTrade,
  call: MethodCall,
  fundChange: boolean,
  sendBack: number,
): Record<string, unknown> {
  return {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_logon_id: trade.buyerId ? maskedLogonId(trade.buyerId) : '',
    fund_change: fundChange ? 'Y' : 'N',
    refund_fee: y(call.store.refunded(trade)), // cumulative, as Alipay reports it
    send_back_fee: y(sendBack),
    gmt_refund_pay: alipayTime(trade.refunds.at(-1)?.at ?? call.store.now()),
    buyer_user_id: trade.buyerId,
  };
}

const refund: MethodHandler = (call) => {
  const refundAmount = amount(call.biz, 'refund_amount');
  const trade = found(call);
  const outRequestNo = outNo(
    call.biz,
    'out_request_no',
    optional(call.biz, 'out_request_no') ?? trade.outTradeNo,
  );
  const before = trade.refunds.find((r) => r.outRequestNo === outRequestNo);
  if (before) {
    if (before.amount !== refundAmount) fail(err.contextInconsistent());
    return { result: SUCCESS, fields: refundFields(trade, call, false, before.amount) }; // a retry: no new money moves
  }
  if (trade.status === 'WAIT_BUYER_PAY') fail(err.tradeStatusError());
  if (trade.status === 'TRADE_CLOSED') fail(err.tradeHasClose());
  if (trade.status === 'TRADE_FINISHED') fail(err.tradeStatusError());
  if (refundAmount > trade.totalAmount - call.store.refunded(trade)) fail(err.refundAmountExceeded());
  call.store.addRefund(trade, {
    outRequestNo,
    amount: refundAmount,
    reason: optional(call.biz, 'refund_reason') ?? '',
  });
  sendTradeNotification(call.ctx, trade);
  return { result: SUCCESS, fields: refundFields(trade, call, true, refundAmount) };
};

const refundQuery: MethodHandler = (call) => {
  const trade = found(call);
  const outRequestNo = required(call.biz, 'out_request_no');
  const r = trade.refunds.find((x) => x.outRequestNo === outRequestNo);
  // Alipay's quirk: an unknown refund is still 10000, just without refund fields
  if (!r)
    return {
      result: SUCCESS,
      fields: { trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, out_request_no: outRequestNo },
    };
  return {
    result: SUCCESS,
    fields: {
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      out_request_no: outRequestNo,
      total_amount: y(trade.totalAmount),
      refund_amount: y(r.amount),
      refund_status: 'REFUND_SUCCESS',
      gmt_refund_pay: alipayTime(r.at),
    },
  };
};

export const TRADE_METHODS: Readonly<Record<string, MethodHandler>> = {
  'alipay.trade.precreate': precreate,
  'alipay.trade.create': create,
  'alipay.trade.pay': pay,
  'alipay.trade.query': query,
  'alipay.trade.cancel': cancel,
  'alipay.trade.close': close,
  'alipay.trade.refund': refund,
  'alipay.trade.fastpay.refund.query': refundQuery,
};
