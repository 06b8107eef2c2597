import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import { cashierStep, type CashierStep } from '../cashier/cashier-flow.js';
import {
  actionPage,
  chooseWalletPage,
  messagePage,
  resultPage,
  type PageOrder,
} from '../cashier/pages.js';
import { CashierSession, readSessionId, sessionCookie } from '../cashier/session.js';
import {
  DEFAULT_WALLET_RULES,
  detectWallet,
  validateWalletRules,
  WALLET_PAY_WAY,
  type CashierWallet,
  type WalletRule,
} from '../cashier/wallet-rules.js';
import { PAY_WAY_CHANNEL } from '../../channels/channel.js';
import { getSetting, putSetting } from '../../platform/settings.js';
import type { AppContext } from '../../http/context.js';
import { Strict } from '../../http/schemas.js';

/**
 * The cashier (CONTRACT §4): `GET /pay/{order_id}` decides by User-Agent which wallet is scanning,
 * gets the payer id through the channel's OAuth when the way needs it, opens the channel order and
 * hands the wallet its action, as a phone page or, with `Accept: application/json`, as JSON.
 */

const RULES_KEY = 'cashier_wallet_rules';
const ORDER_ID = /^ord_[0-9a-z]{26}$/;

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

async function loadRules(ctx: AppContext): Promise<readonly WalletRule[]> {
  return (await getSetting<WalletRule[]>(ctx.db, RULES_KEY)) ?? DEFAULT_WALLET_RULES;
}

async function loadOrder(ctx: AppContext, id: string) {
  if (!ORDER_ID.test(id)) throw new ApiError('resource_missing', `no order ${id}`, 'id');
  const row = await ctx.db
    .selectFrom('orders')
    .innerJoin('merchants', 'merchants.id', 'orders.merchant_id')
    .selectAll('orders')
    .select('merchants.name as merchant_name')
    .where('orders.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('resource_missing', `no order ${id}`, 'id');
  const { merchant_name, ...order } = row;
  const page: PageOrder = {
    id: order.id,
    amount: order.amount,
    subject: order.subject,
    merchantName: merchant_name,
    status: order.status,
  };
  return { order, page };
}

function session(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): CashierSession {
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

export function registerCashierRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = {
    clock: ctx.clock,
    publicUrl: ctx.publicUrl,
    channels: ctx.channels,
    risk: ctx.risk?.payment,
  };
  const hidden = { schema: { hide: true } };

  app.get('/pay/:id', hidden, async (request, reply) => {
    try {
      const { order, page } = await loadOrder(ctx, (request.params as { id: string }).id);
      const wallet = detectWallet(request.headers['user-agent'], await loadRules(ctx));
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
      const { id, wallet } = request.params as { id: string; wallet: string };
      const { code, state, auth_code } = request.query as Record<string, string | undefined>;
      if (!(wallet in WALLET_PAY_WAY))
        throw new ApiError('resource_missing', `no wallet ${wallet}`, 'wallet');
      const { order } = await loadOrder(ctx, id);
      const s = session(ctx, request, reply);
      const authCode = code ?? auth_code;
      if (!authCode || !state || !(await s.consumeState(state, order.id))) {
        throw new ApiError(
          'parameter_invalid',
          'the authorisation expired or did not come from this page; scan again',
          'state',
        );
      }
      const channel = ctx.channels.adapter(PAY_WAY_CHANNEL[WALLET_PAY_WAY[wallet as CashierWallet]]);
      if (!channel.payerAuth)
        throw new ApiError('parameter_invalid', `${wallet} needs no authorisation`, 'wallet');
      const payerId = await channel.payerAuth.payerId(
        await ctx.channels.config(order.merchant_id, channel.id),
        authCode,
      );
      await s.rememberPayer(wallet as CashierWallet, payerId);
      return reply.redirect(`/pay/${order.id}`);
    } catch (error) {
      return sendFailure(error, request, reply);
    }
  });

  app.get('/pay/:id/status', hidden, async (request, reply) => {
    try {
      const { order } = await loadOrder(ctx, (request.params as { id: string }).id);
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

export function registerCashierAdminRoutes(scope: FastifyInstance, ctx: AppContext): void {
  const schema = { tags: ['admin: cashier'], security: [{ adminToken: [] }] };
  scope.get(
    '/cashier/wallet-rules',
    { schema: { ...schema, summary: 'The User-Agent rules that pick the wallet, first match wins' } },
    async () => ({
      object: 'wallet_rules',
      rules: await loadRules(ctx),
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
      const problem = validateWalletRules(rules);
      if (problem) throw new ApiError('validation_failed', problem, problem.split(':')[0]);
      await putSetting(ctx.db, RULES_KEY, rules, ctx.clock);
      return { object: 'wallet_rules', rules };
    },
  );
}
