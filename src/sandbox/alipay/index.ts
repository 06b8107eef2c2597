import type { FastifyInstance, FastifyReply } from 'fastify';
import { toYuanString } from '../../core/money.js';
import type { SandboxContext } from '../context.js';
import { amount, BizInputError, optional, outNo, required } from './biz.js';
import { registerGateway, type Checked } from './gateway.js';
import { registerWalletRoutes } from './routes.js';
import { AlipayTradeStore } from './store.js';
import { cashierPage, messagePage } from './wallet.js';

/**
 * The Alipay simulator: the v2 gateway (/alipay/gateway.do), the user OAuth page, bill downloads,
 * and the customer's wallet (/sandbox/alipay/…). Trades live in memory for the server's life.
 */

export async function registerAlipaySandbox(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  const store = new AlipayTradeStore(ctx.clock);
  const later = (channelMs: number, fn: () => void) => void ctx.scheduler.after(channelMs, fn);

  // alipay.trade.wap.pay: the browser arrives with the signed form; the trade is created and the cashier shown
  const wapPage = (checked: Checked, reply: FastifyReply) => {
    const page = (status: number, body: string) =>
      reply.code(status).header('content-type', 'text/html; charset=utf-8').send(body);
    if (!checked.ok)
      return page(
        400,
        messagePage(
          '支付宝 · 错误',
          `${checked.result.code} ${checked.result.sub_code ?? ''} ${checked.result.sub_msg ?? ''}`,
        ),
      );
    try {
      const { biz, params } = checked;
      const outTradeNo = outNo(biz, 'out_trade_no');
      const total = amount(biz, 'total_amount');
      const subject = required(biz, 'subject');
      const before = store.find({ outTradeNo });
      if (before && (before.status !== 'WAIT_BUYER_PAY' || before.totalAmount !== total)) {
        return page(
          409,
          messagePage(
            '支付宝 · 错误',
            before.status === 'WAIT_BUYER_PAY'
              ? 'ACQ.CONTEXT_INCONSISTENT'
              : `ACQ.TRADE_HAS_${before.status === 'TRADE_CLOSED' ? 'CLOSE' : 'SUCCESS'}`,
          ),
        );
      }
      const trade =
        before ??
        store.add({
          outTradeNo,
          totalAmount: total,
          subject,
          storeId: optional(biz, 'store_id') ?? '',
          productCode: optional(biz, 'product_code') ?? 'QUICK_WAP_WAY',
          status: 'WAIT_BUYER_PAY',
          notifyUrl: params.notify_url,
          returnUrl: params.return_url,
        });
      return page(
        200,
        cashierPage({ field: 'trade_no', value: trade.tradeNo, subject, amount: toYuanString(total) }),
      );
    } catch (error) {
      if (!(error instanceof BizInputError)) throw error;
      return page(
        400,
        messagePage(
          '支付宝 · 错误',
          `${error.result.code} ${error.result.sub_code ?? ''} ${error.result.sub_msg ?? ''}`,
        ),
      );
    }
  };

  registerGateway(app, ctx, store, later, wapPage);
  registerWalletRoutes(app, ctx, store);
}
