import { biz as err, type GatewayResult } from '../../channels/alipay/protocol/codes.js';
import { buildNotify } from '../../channels/alipay/protocol/notify.js';
import { alipayNow } from '../../channels/alipay/protocol/time.js';
import { toYuanString } from '../../core/money.js';
import type { SandboxContext } from '../context.js';
import { merchantAppId, sendTradeNotification } from './notify.js';
import { openIdFor, type AlipayTrade, type AlipayTradeStore } from './store.js';

/**
 * The customer's side: paying a JSAPI/wap trade, scanning a precreated code. Shared by the JSON
 * routes tests drive and the HTML cashier people click through.
 */

export type WalletOutcome =
  { ok: true; trade: AlipayTrade } | { ok: false; status: number; result: GatewayResult };

const BUYER_ID = /^[\w.@-]{1,64}$/;

function refuse(status: number, result: GatewayResult): WalletOutcome {
  return { ok: false, status, result };
}

export function validBuyerId(value: unknown): value is string {
  return typeof value === 'string' && BUYER_ID.test(value);
}

/** the buyer confirms an existing trade (JSAPI tradePay, wap cashier) */
export function confirmTrade(
  ctx: SandboxContext,
  store: AlipayTradeStore,
  tradeNo: string,
  buyerId: string,
): WalletOutcome {
  const trade = store.find({ tradeNo });
  if (!trade) return refuse(404, err.tradeNotExist());
  if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED')
    return refuse(409, err.tradeHasSuccess());
  if (trade.status === 'TRADE_CLOSED') return refuse(409, err.tradeHasClose());
  const openId = openIdFor(ctx.keys.alipay.app_id, buyerId);
  if (
    (trade.buyerId && trade.buyerId !== buyerId) ||
    (!trade.buyerId && trade.buyerOpenId && trade.buyerOpenId !== openId && trade.buyerOpenId !== buyerId)
  ) {
    return refuse(403, err.buyerNotMatch());
  }
  store.markPaid(trade, buyerId, trade.buyerOpenId ?? openId);
  sendTradeNotification(ctx, trade);
  return { ok: true, trade };
}

/** the buyer scans a precreated code: the trade comes into existence now, and is paid if `pay` */
export function scanCode(
  ctx: SandboxContext,
  store: AlipayTradeStore,
  qrCode: string,
  buyerId: string,
  pay = true,
): WalletOutcome {
  const code = store.findPrecreated({ qrCode });
  if (!code) return refuse(404, err.tradeNotExist());
  const trade =
    store.find({ outTradeNo: code.outTradeNo }) ??
    store.add({
      outTradeNo: code.outTradeNo,
      totalAmount: code.totalAmount,
      subject: code.subject,
      storeId: code.storeId,
      productCode: 'FACE_TO_FACE_PAYMENT',
      status: 'WAIT_BUYER_PAY',
      notifyUrl: code.notifyUrl,
    });
  if (!pay) {
    trade.buyerId ??= buyerId;
    return trade.status === 'WAIT_BUYER_PAY' ? { ok: true, trade } : refuse(409, err.tradeStatusError());
  }
  return confirmTrade(ctx, store, trade.tradeNo, buyerId);
}

/** the signed synchronous return to return_url after a wap payment (verified like a notification) */
export function returnUrlFor(ctx: SandboxContext, trade: AlipayTrade): string | undefined {
  if (!trade.returnUrl) return undefined;
  const keys = ctx.keys.alipay;
  const params = buildNotify(
    {
      charset: 'utf-8',
      method: 'alipay.trade.wap.pay.return',
      version: '1.0',
      app_id: keys.app_id,
      auth_app_id: merchantAppId(keys.seller_id),
      seller_id: keys.seller_id,
      out_trade_no: trade.outTradeNo,
      trade_no: trade.tradeNo,
      total_amount: toYuanString(trade.totalAmount),
      timestamp: alipayNow(ctx.clock),
    },
    keys.alipay_private_key,
  );
  const url = new URL(trade.returnUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** a small confirm/cancel page: the buyer id is free text, as in the rest of the sandbox */
export function cashierPage(what: {
  field: 'trade_no' | 'qr_code';
  value: string;
  subject: string;
  amount: string;
  returnUrl?: string | undefined;
  buyerId?: string | undefined;
}): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>支付宝收银台 (sandbox)</title><style>body{font-family:sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem}
.amount{font-size:2rem;margin:.5rem 0}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}</style></head><body>
<h1>支付宝 · Sandbox</h1><p>${escapeHtml(what.subject)}</p><p class="amount">￥${escapeHtml(what.amount)}</p>
<form method="post" action="/sandbox/alipay/cashier">${hidden(what.field, what.value)}${what.returnUrl ? hidden('return_url', what.returnUrl) : ''}
<label>付款人 buyer_id <input name="buyer_id" value="${escapeHtml(what.buyerId ?? '2088000000000001')}" required></label><p>
<button name="action" value="pay">确认付款</button><button name="action" value="cancel">取消</button></p></form></body></html>`;
}

export function messagePage(title: string, detail: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:sans-serif;max-width:26rem;margin:2rem auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>`;
}
