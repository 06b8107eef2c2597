import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { jsonBody } from '../json-body.js';
import { checkoutPage } from './checkout-page.js';
import { notifyTransactionSuccess } from './notify.js';
import type { WechatSimulator } from './simulator.js';
import type { Trade } from './trade-store.js';

/**
 * The customer's side: WeChat OAuth (snsapi_base → code → openid), confirming a JSAPI payment,
 * scanning and paying a Native code_url, and a browser page with confirm / cancel.
 */

const CODE_TTL_MS = 5 * 60_000; // an OAuth code lives 5 minutes and is single-use
const OPENID_COOKIE = 'wx_sandbox_openid';

function bad(reply: FastifyReply, status: number, code: string, message: string, param?: string) {
  return reply
    .code(status)
    .send({ error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } });
}

const newOpenid = () => `o${randomBytes(20).toString('base64url').slice(0, 27)}`;

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined; // a malformed cookie is no cookie, not a 500
    }
  }
  return undefined;
}

export function registerWalletRoutes(app: FastifyInstance, sim: WechatSimulator): void {
  const codes = new Map<
    string,
    { openid: string; appid: string; scope: string; expiresAt: number; used: boolean }
  >();
  const appids = () => [sim.keys.sp_appid, sim.keys.sub_appid];

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/wechatpay/connect/oauth2/authorize',
    async (request, reply) => {
      const {
        appid,
        redirect_uri: redirect,
        response_type: type,
        scope = 'snsapi_base',
        state = '',
        openid: chosen,
      } = request.query;
      if (!appid || !appids().includes(appid))
        return reply.code(400).send({ errcode: 40013, errmsg: 'invalid appid' });
      if (type !== 'code')
        return reply.code(400).send({ errcode: 10004, errmsg: 'response_type must be code' });
      if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo')
        return reply.code(400).send({ errcode: 10005, errmsg: 'invalid scope' });
      let target: URL;
      try {
        target = new URL(redirect ?? '');
      } catch {
        return reply.code(400).send({ errcode: 10003, errmsg: 'redirect_uri参数错误' });
      }
      // the same browser keeps its openid unless the caller picks one
      const openid = chosen || cookie(request.headers.cookie, OPENID_COOKIE) || newOpenid();
      const code = randomBytes(16).toString('hex');
      codes.set(code, { openid, appid, scope, expiresAt: sim.ctx.clock.nowMs() + CODE_TTL_MS, used: false });
      target.searchParams.set('code', code);
      target.searchParams.set('state', state);
      reply.header(
        'set-cookie',
        `${OPENID_COOKIE}=${encodeURIComponent(openid)}; Path=/; HttpOnly; SameSite=Lax`,
      );
      return reply.redirect(target.toString(), 302);
    },
  );

  const exchange = (
    appid: string | undefined,
    code: string | undefined,
    grantType: string | undefined,
    reply: FastifyReply,
  ) => {
    if (!appid || !appids().includes(appid)) return reply.send({ errcode: 40013, errmsg: 'invalid appid' });
    if (grantType !== 'authorization_code')
      return reply.send({ errcode: 40002, errmsg: 'invalid grant_type' });
    const entry = code ? codes.get(code) : undefined;
    if (!entry || entry.appid !== appid || entry.expiresAt < sim.ctx.clock.nowMs())
      return reply.send({ errcode: 40029, errmsg: 'invalid code' });
    if (entry.used) return reply.send({ errcode: 40163, errmsg: 'code been used' });
    entry.used = true;
    return reply.send({
      access_token: randomBytes(32).toString('base64url'),
      expires_in: 7200,
      refresh_token: randomBytes(32).toString('base64url'),
      openid: entry.openid,
      scope: entry.scope,
    });
  };
  // WeChat answers these errors with HTTP 200 and an errcode body
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/wechatpay/sns/oauth2/access_token',
    async (request, reply) => {
      const q = request.query;
      if (!q.secret) return reply.send({ errcode: 41004, errmsg: 'appsecret missing' });
      return exchange(q.appid, q.code, q.grant_type, reply);
    },
  );
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/wechatpay/sns/oauth2/component/access_token',
    async (request, reply) => {
      const q = request.query;
      if (!q.component_appid || !q.component_access_token)
        return reply.send({ errcode: 41001, errmsg: 'access_token missing' });
      return exchange(q.appid, q.code, q.grant_type, reply);
    },
  );

  /** the customer pays: refused when the trade is not waiting for payment */
  const pay = (reply: FastifyReply, trade: Trade, openid: string) => {
    if (trade.state !== 'NOTPAY') return bad(reply, 400, 'trade_not_payable', `the trade is ${trade.state}`);
    if (trade.expiresAt && trade.expiresAt.getTime() < sim.ctx.clock.nowMs()) {
      trade.state = 'CLOSED';
      return bad(reply, 400, 'trade_expired', 'the trade passed its time_expire');
    }
    sim.store.markPaid(trade, trade.payer.sub_openid ? {} : { sp_openid: openid });
    notifyTransactionSuccess(sim, trade);
    return reply.send({
      object: 'wechat_payment',
      out_trade_no: trade.outTradeNo,
      transaction_id: trade.transactionId,
      trade_state: trade.state,
      payer: trade.payer,
    });
  };

  app.post('/sandbox/wechat/pay', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 400, 'parameter_invalid', 'send a JSON object', 'body');
    if (typeof body.prepay_id !== 'string')
      return bad(reply, 400, 'parameter_invalid', 'prepay_id is required', 'prepay_id');
    if (body.openid !== undefined && (typeof body.openid !== 'string' || body.openid === ''))
      return bad(reply, 400, 'parameter_invalid', 'openid must be a string', 'openid');
    const trade = sim.store.findByPrepayId(body.prepay_id);
    if (!trade) return bad(reply, 404, 'resource_missing', 'no trade has this prepay_id', 'prepay_id');
    const ordered = trade.payer.sp_openid ?? trade.payer.sub_openid;
    const openid = (body.openid as string | undefined) ?? ordered ?? newOpenid();
    // WeChat only lets the user the order was placed for pay a JSAPI order
    if (ordered && openid !== ordered)
      return bad(reply, 400, 'openid_mismatch', '支付用户与下单用户不一致', 'openid');
    return pay(reply, trade, openid);
  });

  app.post('/sandbox/wechat/scan', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 400, 'parameter_invalid', 'send a JSON object', 'body');
    if (typeof body.code_url !== 'string')
      return bad(reply, 400, 'parameter_invalid', 'code_url is required', 'code_url');
    if (body.openid !== undefined && (typeof body.openid !== 'string' || body.openid === ''))
      return bad(reply, 400, 'parameter_invalid', 'openid must be a string', 'openid');
    const trade = sim.store.findByCodeUrl(body.code_url);
    if (!trade) return bad(reply, 404, 'resource_missing', 'no trade has this code_url', 'code_url');
    return pay(reply, trade, (body.openid as string | undefined) ?? newOpenid());
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/sandbox/wechat/checkout',
    async (request, reply) => {
      const trade = sim.store.findByPrepayId(request.query.prepay_id ?? '');
      if (!trade)
        return reply
          .code(404)
          .type('text/html; charset=utf-8')
          .send('<!doctype html><meta charset="utf-8"><p>未找到订单 (unknown prepay_id)</p>');
      return reply.type('text/html; charset=utf-8').send(checkoutPage(trade, request.query.return_url));
    },
  );
}
