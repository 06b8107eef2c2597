import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import {
  cashierStep,
  cashierWallet,
  rememberPayerFromAuth,
  type CashierStep,
} from '../cashier/cashier-flow.js';
import { actionPage, chooseWalletPage, messagePage, resultPage, type PageOrder } from '../cashier/pages.js';
import { CashierSession, readSessionId, sessionCookie } from '../cashier/session.js';
import { loadCashierOrder, loadWalletRules, saveWalletRules } from '../cashier/store.js';
import {
  detectWallet,
  WALLET_PAY_WAY,
  type CashierWallet,
  type WalletRule,
} from '../cashier/wallet-rules.js';
import { Strict } from '../../http/schemas.js';
import type { PaymentRouteDeps } from './deps.js';

/**
 * The cashier (CONTRACT §4): `GET /pay/{order_id}` decides by User-Agent which wallet is scanning,
 * gets the payer id through the channel's OAuth when the way needs it, opens the channel order and
 * hands the wallet its action, as a phone page or, with `Accept: application/json`, as JSON.
 */

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

function session(ctx: PaymentRouteDeps, request: FastifyRequest, reply: FastifyReply): CashierSession {
  const existing = readSessionId(request.headers.cookie);
  const s = new CashierSession(ctx.cache, existing);
  if (!existing) reply.header('set-cookie', sessionCookie(s.id));
  return s;
}

function render(step: CashierStep, page: PageOrder, json: boolean, reply: FastifyReply) {
  if (step.kind === 'final') {
    const final = { ...page, status: step.order.status };
    return json
      ? { wallet: null, status: final.status, action: { type: 'done', status: final.status } }
      : reply.type('text/html; charset=utf-8').send(resultPage(final));
  }
  if (step.kind === 'choose') {
    return json
      ? { wallet: null, wallets: step.wallets.map((w) => ({ wallet: w, pay_way: WALLET_PAY_WAY[w] })) }
      : reply.type('text/html; charset=utf-8').send(chooseWalletPage(page, step.wallets));
  }
  if (step.kind === 'refused') {
    return json
      ? { wallet: step.wallet, pay_way: step.payWay, action: { type: 'refused', reason: 'risk' } }
      : reply
          .type('text/html; charset=utf-8')
          .send(messagePage('无法完成支付', 'This payment was declined by our risk controls.'));
  }
  if (json) return { wallet: step.wallet, pay_way: step.payWay, action: step.action };
  if (step.action.type === 'redirect' && !step.action.sandbox_url && step.order.status === 'created') {
    return reply.redirect(step.action.url); // the OAuth hop: no page needed
  }
  return reply
    .type('text/html; charset=utf-8')
    .send(actionPage({ ...page, status: step.order.status }, step.wallet, step.action));
}

function sendFailure(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError('channel_failed', 'the payment channel could not be reached; please try again');
  if (!(error instanceof ApiError)) request.log.error({ err: error }, 'cashier failed');
  if (wantsJson(request)) return reply.code(apiError.status).send(apiError.toBody(request.id));
  const page =
    apiError.code === 'resource_missing'
      ? messagePage('订单不存在', 'No such order')
      : messagePage('暂时无法支付', apiError.message);
  return reply.code(apiError.status).type('text/html; charset=utf-8').send(page);
}

export function registerCashierRoutes(app: FastifyInstance, ctx: PaymentRouteDeps): void {
  const deps = {
    clock: ctx.clock,
    publicUrl: ctx.publicUrl,
    channels: ctx.channels,
    risk: ctx.risk?.payment,
  };
  const hidden = { schema: { hide: true } };

  app.get('/pay/:id', hidden, async (request, reply) => {
    try {
      const { order, page } = await loadCashierOrder(ctx.db, (request.params as { id: string }).id);
      const wallet = detectWallet(request.headers['user-agent'], await loadWalletRules(ctx.db));
      const s = session(ctx, request, reply);
      const step = await cashierStep(
        ctx.db,
        deps,
        order,
        wallet,
        s,
        (w) => `${ctx.publicUrl}/pay/${order.id}/auth/${w}`,
      );
      return render(step, page, wantsJson(request), reply);
    } catch (error) {
      return sendFailure(error, request, reply);
    }
  });

  /** The channel's OAuth comes back here with a code: learn the payer, return to the cashier. */
  app.get('/pay/:id/auth/:wallet', hidden, async (request, reply) => {
    try {
      const { id, wallet: name } = request.params as { id: string; wallet: string };
      const { code, state, auth_code } = request.query as Record<string, string | undefined>;
      const wallet = cashierWallet(name);
      const { order } = await loadCashierOrder(ctx.db, id);
      const s = session(ctx, request, reply);
      await rememberPayerFromAuth(deps, order, wallet, s, code ?? auth_code, state);
      return reply.redirect(`/pay/${order.id}`);
    } catch (error) {
      return sendFailure(error, request, reply);
    }
  });

  app.get('/pay/:id/status', hidden, async (request, reply) => {
    try {
      const { order } = await loadCashierOrder(ctx.db, (request.params as { id: string }).id);
      return {
        object: 'order_status',
        id: order.id,
        status: order.status,
        paid_at: order.paid_at?.toISOString() ?? null,
      };
    } catch (error) {
      return sendFailure(error, request, reply);
    }
  });
}

const RuleSchema = Strict({
  wallet: Type.Union((Object.keys(WALLET_PAY_WAY) as CashierWallet[]).map((w) => Type.Literal(w))),
  pattern: Type.String({ minLength: 1, maxLength: 200 }),
  unless: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

export function registerCashierAdminRoutes(scope: FastifyInstance, ctx: PaymentRouteDeps): void {
  const schema = { tags: ['admin: cashier'], security: [{ adminToken: [] }] };
  scope.get(
    '/cashier/wallet-rules',
    { schema: { ...schema, summary: 'The User-Agent rules that pick the wallet, first match wins' } },
    async () => ({
      object: 'wallet_rules',
      rules: await loadWalletRules(ctx.db),
    }),
  );
  scope.put(
    '/cashier/wallet-rules',
    {
      schema: {
        ...schema,
        summary: 'Replace the wallet rules (regular expressions, case-insensitive)',
        body: Strict({ rules: Type.Array(RuleSchema, { maxItems: 50 }) }),
      },
    },
    async (request) => {
      const { rules } = request.body as { rules: WalletRule[] };
      await saveWalletRules(ctx.db, rules, ctx.clock);
      return { object: 'wallet_rules', rules };
    },
  );
}
