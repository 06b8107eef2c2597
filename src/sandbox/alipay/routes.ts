import type { FastifyInstance, FastifyReply } from 'fastify';
import { buildBillZip } from '../../channels/alipay/protocol/bill-zip.js';
import { decodeForm } from '../../channels/alipay/protocol/form.js';
import { alipayTime } from '../../channels/alipay/protocol/time.js';
import { toYuanString } from '../../core/money.js';
import type { SandboxContext } from '../context.js';
import { jsonBody } from '../json-body.js';
import { BILL_DOWNLOAD_PATH } from './account-methods.js';
import type { AlipayTradeStore } from './store.js';
import { billRows } from './views.js';
import { billingOf } from '../billing.js';
import { extraBillRows } from './bill-extras.js';
import {
  cashierPage,
  confirmTrade,
  messagePage,
  returnUrlFor,
  scanCode,
  validBuyerId,
  type WalletOutcome,
} from './wallet.js';

/** Wallet routes (/sandbox/alipay/…), the user OAuth page and the bill file download. */

function bad(reply: FastifyReply, message: string, param: string) {
  return reply
    .code(400)
    .send({ error: { type: 'invalid_request_error', code: 'parameter_invalid', message, param } });
}

function walletAnswer(reply: FastifyReply, outcome: WalletOutcome) {
  if (!outcome.ok) {
    const { sub_code, sub_msg } = outcome.result;
    return reply
      .code(outcome.status)
      .send({ error: { type: 'channel_error', code: sub_code, message: sub_msg } });
  }
  const t = outcome.trade;
  // resultCode is what AlipayJSBridge tradePay hands the page: 9000 = paid
  return reply.send({
    trade_no: t.tradeNo,
    out_trade_no: t.outTradeNo,
    trade_status: t.status,
    buyer_id: t.buyerId,
    resultCode: t.status === 'TRADE_SUCCESS' ? '9000' : '6001',
  });
}

const httpUrl = (value: string) => /^https?:\/\/[^\s]{1,2000}$/.test(value);

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).header('content-type', 'text/html; charset=utf-8').send(body);

export function registerWalletRoutes(
  app: FastifyInstance,
  ctx: SandboxContext,
  store: AlipayTradeStore,
): void {
  app.post('/sandbox/alipay/pay', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 'send a JSON object', 'body');
    if (typeof body.trade_no !== 'string' || body.trade_no === '')
      return bad(reply, 'trade_no is required', 'trade_no');
    if (!validBuyerId(body.buyer_id))
      return bad(reply, 'buyer_id must be 1–64 letters, digits or ._@-', 'buyer_id');
    return walletAnswer(reply, confirmTrade(ctx, store, body.trade_no, body.buyer_id));
  });

  app.post('/sandbox/alipay/scan', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 'send a JSON object', 'body');
    if (typeof body.qr_code !== 'string' || body.qr_code === '')
      return bad(reply, 'qr_code is required', 'qr_code');
    if (!validBuyerId(body.buyer_id))
      return bad(reply, 'buyer_id must be 1–64 letters, digits or ._@-', 'buyer_id');
    if (body.pay !== undefined && typeof body.pay !== 'boolean')
      return bad(reply, 'pay must be a boolean', 'pay');
    return walletAnswer(reply, scanCode(ctx, store, body.qr_code, body.buyer_id, body.pay !== false));
  });

  // the demo page: open /sandbox/alipay/cashier?qr_code=https://qr.alipay.com/bax… (or ?trade_no=…);
  // ?return_url= is where the browser goes after paying, as the wallet returns to the cashier page
  app.get('/sandbox/alipay/cashier', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (q.return_url !== undefined && !httpUrl(q.return_url))
      return html(reply, 400, messagePage('参数错误', 'return_url 无效'));
    const returnUrl = q.return_url;
    // what the page pays: a precreated code, or a trade (JSAPI: it belongs to the buyer it was created for)
    let target: Omit<Parameters<typeof cashierPage>[0], 'amount' | 'returnUrl'> & { totalAmount: number };
    if (q.qr_code) {
      const code = store.findPrecreated({ qrCode: q.qr_code });
      if (!code) return html(reply, 404, messagePage('二维码无效', 'ACQ.TRADE_NOT_EXIST'));
      target = { field: 'qr_code', value: code.qrCode, subject: code.subject, totalAmount: code.totalAmount };
    } else {
      const trade = q.trade_no ? store.find({ tradeNo: q.trade_no }) : undefined;
      if (!trade) return html(reply, 404, messagePage('交易不存在', 'ACQ.TRADE_NOT_EXIST'));
      const { tradeNo: value, subject, totalAmount, buyerId } = trade;
      target = { field: 'trade_no', value, subject, totalAmount, buyerId };
    }
    const { totalAmount, ...shown } = target;
    return html(reply, 200, cashierPage({ ...shown, amount: toYuanString(totalAmount), returnUrl }));
  });

  app.post('/sandbox/alipay/cashier', async (request, reply) => {
    const form = typeof request.body === 'string' ? decodeForm(request.body) : undefined;
    if (!form || !validBuyerId(form.buyer_id) || (form.action !== 'pay' && form.action !== 'cancel')) {
      return html(reply, 400, messagePage('请求无效', 'buyer_id and action (pay|cancel) are required'));
    }
    if (form.action === 'cancel') return html(reply, 200, messagePage('已取消', '付款已取消，交易仍待支付'));
    const outcome = form.qr_code
      ? scanCode(ctx, store, form.qr_code, form.buyer_id)
      : confirmTrade(ctx, store, form.trade_no ?? '', form.buyer_id);
    if (!outcome.ok)
      return html(
        reply,
        outcome.status,
        messagePage('支付失败', `${outcome.result.sub_code}: ${outcome.result.sub_msg}`),
      );
    const back =
      returnUrlFor(ctx, outcome.trade) ??
      (form.return_url && httpUrl(form.return_url) ? form.return_url : undefined);
    if (back) return reply.redirect(back, 302);
    return html(
      reply,
      200,
      messagePage('支付成功', `${outcome.trade.outTradeNo} ￥${toYuanString(outcome.trade.totalAmount)}`),
    );
  });

  // user OAuth for a JSAPI cashier: scope=auth_base redirects straight back with auth_code
  app.get('/alipay/oauth2/publicAppAuthorize.htm', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    let redirect: URL | undefined;
    try {
      redirect = q.redirect_uri ? new URL(q.redirect_uri) : undefined;
    } catch {
      redirect = undefined;
    }
    if (q.app_id !== ctx.keys.alipay.app_id) return html(reply, 400, messagePage('参数错误', 'app_id 无效'));
    if (q.scope !== 'auth_base' && q.scope !== 'auth_user')
      return html(reply, 400, messagePage('参数错误', 'scope 无效'));
    if (!redirect || !/^https?:$/.test(redirect.protocol))
      return html(reply, 400, messagePage('参数错误', 'redirect_uri 无效'));
    // sandbox extension: ?buyer_id= picks the customer; otherwise a fresh one
    const userId = validBuyerId(q.buyer_id) ? q.buyer_id : `2088${String(Date.now()).slice(-12)}`;
    const code = store.issueOauthCode(q.app_id, userId);
    redirect.searchParams.set('app_id', q.app_id);
    redirect.searchParams.set('source', 'alipay_wallet');
    redirect.searchParams.set('scope', q.scope);
    redirect.searchParams.set('auth_code', code);
    if (q.state !== undefined) redirect.searchParams.set('state', q.state);
    return reply.redirect(redirect.toString(), 302);
  });

  const book = billingOf(ctx);
  app.get(BILL_DOWNLOAD_PATH, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const link = q.token ? store.billLink(q.token) : undefined;
    if (!link) return html(reply, 404, messagePage('文件不存在', 'invalid download link'));
    if (ctx.clock.nowMs() > link.expiresAtMs)
      return html(reply, 403, messagePage('链接已过期', 'bill_download_url is valid for 30 seconds'));
    const zip = buildBillZip({
      account: ctx.keys.alipay.seller_id,
      date: link.date,
      rows: [
        ...billRows(store.all(), link.date, {
          trade: (no, amount) => book.tradeFee('alipay', no, amount),
          refund: (no, amount, before, refund) => book.refundFee('alipay', no, amount, before, refund),
        }),
        ...extraBillRows(book, link.date),
      ],
      exportedAt: alipayTime(store.now()),
    });
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${q.downloadFileName ?? 'bill.csv.zip'}"`)
      .send(Buffer.from(zip));
  });
}
