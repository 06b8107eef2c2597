import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from '../context.js';
import { API_FAULTS } from '../faults.js';
import { jsonBody } from '../json-body.js';
import { walletPayPage } from './h5-wallet-page.js';
import {
  asWalletMessage,
  H5_WALLET_CONFIGS,
  H5_WALLET_NOTIFY_RETRY_MS,
  H5_WALLETS,
  parseCreatePayment,
  signWalletMessage,
  verifyWalletMessage,
  type H5WalletConfig,
  type WalletMessage,
} from '../../channels/h5wallet/protocol/h5-wallet-protocol.js';
import { H5WalletStore, type H5Payment } from './h5-wallet-store.js';

/**
 * QQ Wallet, JD Pay and Baidu Wallet as simple H5 wallets, one implementation parameterised by
 * wallet: JSON API under /<wallet>/v1/…, the H5 page under /<wallet>/h5/pay/<id>, and the
 * customer's shortcuts under /sandbox/<wallet>/pay|cancel. Faults per operation: create, query.
 */

const CHANNEL_TIMEOUT_MS = 30_000;

export async function registerWalletSandboxes(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  for (const wallet of H5_WALLETS) registerH5Wallet(app, ctx, H5_WALLET_CONFIGS[wallet]);
}

function registerH5Wallet(app: FastifyInstance, ctx: SandboxContext, config: H5WalletConfig): void {
  const store = new H5WalletStore(config.wallet, ctx.clock);
  const w = config.wallet;
  const nonce = () => randomBytes(8).toString('hex');
  const answer = (reply: FastifyReply, status: number, fields: WalletMessage) =>
    reply
      .code(status)
      .send(signWalletMessage({ ...fields, mch_id: config.mchId, nonce: nonce() }, config.key));
  const fail = (reply: FastifyReply, status: number, code: string, message: string, param?: string) =>
    answer(reply, status, { code, message, ...(param ? { param } : {}) });
  const view = (p: H5Payment): WalletMessage => ({
    code: 'SUCCESS',
    payment_id: p.payment_id,
    out_trade_no: p.out_trade_no,
    amount: p.amount,
    status: p.status,
    pay_url: `${ctx.baseUrl}/${w}/h5/pay/${p.payment_id}`,
    ...(p.paid_at ? { paid_at: p.paid_at } : {}),
  });

  const notify = (p: H5Payment) => {
    const body = JSON.stringify(
      signWalletMessage(
        {
          mch_id: config.mchId,
          payment_id: p.payment_id,
          out_trade_no: p.out_trade_no,
          amount: p.amount,
          status: p.status,
          paid_at: p.paid_at ?? '',
          nonce: nonce(),
        },
        config.key,
      ),
    );
    ctx.notifier.send({
      channel: w,
      label: `${w} ${p.status} out_trade_no=${p.out_trade_no}`,
      url: p.notify_url,
      build: () => ({ headers: { 'content-type': 'application/json' }, body }),
      isAck: (status) => status === 200,
      retryDelaysMs: H5_WALLET_NOTIFY_RETRY_MS,
    });
  };

  /** signature and merchant checks shared by the API calls; undefined when the reply was sent */
  const authenticated = (raw: unknown, reply: FastifyReply): WalletMessage | undefined => {
    const m = asWalletMessage(jsonBody(raw));
    if (!m)
      return void fail(
        reply,
        400,
        'INVALID_PARAMETER',
        'send a flat JSON object of strings and integers',
        'body',
      );
    if (!verifyWalletMessage(m, config.key))
      return void fail(reply, 401, 'SIGN_ERROR', 'sign does not verify');
    if (m.mch_id !== config.mchId) return void fail(reply, 400, 'MCH_NOT_EXIST', 'unknown mch_id', 'mch_id');
    return m;
  };

  /** a fault for this operation; true when the reply was taken care of */
  const faulted = (operation: string, reply: FastifyReply): boolean => {
    const fault = ctx.faults.take(w, operation, API_FAULTS);
    if (fault === 'timeout') {
      reply.hijack();
      void ctx.scheduler.hold(CHANNEL_TIMEOUT_MS).then(() => reply.raw.destroy());
    } else if (fault === 'error_5xx')
      void reply.code(502).type('text/html').send('<html><body>502 Bad Gateway</body></html>');
    else if (fault === 'system_error') void fail(reply, 500, 'SYSTEM_ERROR', 'system busy, retry later');
    return fault !== undefined;
  };

  app.post(`/${w}/v1/payments`, async (request, reply) => {
    if (faulted('create', reply)) return reply;
    const m = authenticated(request.body, reply);
    if (!m) return reply;
    const parsed = parseCreatePayment(m);
    if (!parsed.ok) return fail(reply, 400, 'INVALID_PARAMETER', parsed.message, parsed.param);
    const payment = store.create(parsed.value);
    if (!payment)
      return fail(reply, 409, 'DUPLICATE_OUT_TRADE_NO', 'out_trade_no was used before', 'out_trade_no');
    return answer(reply, 201, view(payment));
  });

  app.post(`/${w}/v1/payments/query`, async (request, reply) => {
    if (faulted('query', reply)) return reply;
    const m = authenticated(request.body, reply);
    if (!m) return reply;
    const ref = m.out_trade_no ?? m.payment_id;
    const payment = typeof ref === 'string' ? store.get(ref) : undefined;
    if (!payment)
      return fail(
        reply,
        404,
        'ORDER_NOT_EXIST',
        'no payment with that out_trade_no or payment_id',
        'out_trade_no',
      );
    return answer(reply, 200, view(payment));
  });

  const decide = (
    p: H5Payment | undefined,
    status: 'SUCCESS' | 'CLOSED',
  ): 'not_found' | 'decided' | 'moved' => {
    if (!p) return 'not_found';
    if (!store.decide(p, status)) return 'decided';
    if (status === 'SUCCESS') notify(p);
    return 'moved';
  };

  app.get(`/${w}/h5/pay/:id`, async (request, reply) => {
    const payment = store.get((request.params as { id: string }).id);
    return reply
      .code(payment ? 200 : 404)
      .type('text/html; charset=utf-8')
      .send(walletPayPage(config, payment));
  });

  for (const [action, status] of [
    ['confirm', 'SUCCESS'],
    ['cancel', 'CLOSED'],
  ] as const) {
    app.post(`/${w}/h5/pay/:id/${action}`, async (request, reply) => {
      const payment = store.get((request.params as { id: string }).id);
      if (decide(payment, status) === 'not_found' || !payment)
        return reply.code(404).type('text/html; charset=utf-8').send(walletPayPage(config, undefined));
      const back = new URL(payment.return_url);
      back.searchParams.set('out_trade_no', payment.out_trade_no);
      back.searchParams.set('status', payment.status);
      return reply.redirect(back.toString(), 303);
    });
  }

  for (const [action, status] of [
    ['pay', 'SUCCESS'],
    ['cancel', 'CLOSED'],
  ] as const) {
    app.post(`/sandbox/${w}/${action}`, async (request, reply) => {
      const body = jsonBody(request.body);
      const ref = body?.payment_id ?? body?.out_trade_no;
      if (typeof ref !== 'string' || ref === '')
        return reply.code(400).send({
          error: {
            type: 'invalid_request_error',
            code: 'parameter_invalid',
            message: 'payment_id or out_trade_no is required',
            param: 'payment_id',
          },
        });
      const payment = store.get(ref);
      const outcome = decide(payment, status);
      if (outcome === 'not_found' || !payment)
        return reply.code(404).send({
          error: {
            type: 'invalid_request_error',
            code: 'resource_missing',
            message: `no ${w} payment ${ref}`,
            param: 'payment_id',
          },
        });
      if (outcome === 'decided')
        return reply.code(409).send({
          error: {
            type: 'invalid_request_error',
            code: 'payment_not_open',
            message: `the payment is ${payment.status}`,
            param: 'payment_id',
          },
        });
      return {
        object: `${w}_payment`,
        payment_id: payment.payment_id,
        out_trade_no: payment.out_trade_no,
        status: payment.status,
      };
    });
  }
}
