import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  INVALID_APP_AUTH_TOKEN,
  INVALID_APP_ID,
  INVALID_CHARSET,
  INVALID_FORMAT,
  INVALID_METHOD,
  INVALID_SIGNATURE_TYPE,
  INVALID_TIMESTAMP,
  SYSTEM_ERROR,
  invalidSignature,
  missingCommon,
  type GatewayResult,
} from '../../channels/alipay/protocol/codes.js';
import { decodeForm } from '../../channels/alipay/protocol/form.js';
import {
  buildSignedResponse,
  buildUnsignedRefusal,
  responseKey,
} from '../../channels/alipay/protocol/response.js';
import { verifyRequest } from '../../channels/alipay/protocol/sign.js';
import { parseAlipayTime } from '../../channels/alipay/protocol/time.js';
import type { SandboxContext } from '../context.js';
import { API_FAULTS, LOST_ANSWER_FAULTS } from '../faults.js';
import { ACCOUNT_METHODS } from './account-methods.js';
import { ONBOARDING_METHODS } from '../onboarding/alipay-zft.js';
import { BizInputError } from './biz.js';
import type { AlipayTradeStore } from './store.js';
import { TRADE_METHODS, type MethodAnswer, type MethodCall } from './trade-methods.js';

/**
 * POST /alipay/gateway.do as alipay-sdk `exec` sends it: common params in the query string, the
 * rest (biz_content, grant_type, code …) as a form body; answers `text/html;charset=utf-8` JSON,
 * signed over the raw `<method>_response` text, except the refusals sent before the app is known
 * (bad format, missing/unknown method, missing/unknown app_id): a bare unsigned `error_response`,
 * as Alipay sends them. Checks run in the gateway's order: common params,
 * app, signature, app_auth_token, then the method itself.
 */

const METHODS = { ...TRADE_METHODS, ...ACCOUNT_METHODS, ...ONBOARDING_METHODS };
/** page methods: a browser is sent here, the answer is the cashier page */
export const PAGE_METHODS = new Set(['alipay.trade.wap.pay']);
/** this method answers errors in error_response and success without code/msg */
const ERROR_RESPONSE_METHODS = new Set(['alipay.system.oauth.token']);
const HOLD_MS = 30_000; // how long a `timeout` fault holds the request, in channel time

/** `alipay.trade.fastpay.refund.query` → `refund_query`, `alipay.trade.pay` → `pay`: the fault operation name */
export function operationOf(method: string): string {
  const special: Record<string, string> = {
    'alipay.trade.fastpay.refund.query': 'refund_query',
    'alipay.data.dataservice.bill.downloadurl.query': 'bill_query',
    'alipay.system.oauth.token': 'oauth_token',
    'alipay.trade.wap.pay': 'wap_pay',
  };
  return special[method] ?? method.split('.').at(-1)!;
}

/** query string and form body together; undefined if either cannot be decoded */
export function requestParams(request: FastifyRequest): Record<string, string> | undefined {
  const url = request.raw.url ?? '';
  const query = decodeForm(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const body =
    typeof request.body === 'string' && /form-urlencoded/i.test(request.headers['content-type'] ?? '')
      ? decodeForm(request.body)
      : {};
  if (!query || !body) return undefined;
  return { ...body, ...query };
}

export type Checked =
  | { ok: true; method: string; params: Record<string, string>; biz: Record<string, unknown> }
  | { ok: false; key: string; result: GatewayResult; unsigned?: true };

/** Everything the gateway checks before a method runs. */
export function checkRequest(params: Record<string, string> | undefined, ctx: SandboxContext): Checked {
  const keys = ctx.keys.alipay;
  // before the gateway knows the app (and so its key pair) and the method, it cannot sign: Alipay
  // answers these refusals as a bare, unsigned error_response
  const unsigned = (result: GatewayResult): Checked => ({
    ok: false,
    key: 'error_response',
    result,
    unsigned: true,
  });
  if (!params) return unsigned(INVALID_FORMAT);
  const method = params.method;
  if (!method) return unsigned(missingCommon('method'));
  if (!(method in METHODS) && !PAGE_METHODS.has(method)) return unsigned(INVALID_METHOD);
  if (!params.app_id) return unsigned(missingCommon('app_id'));
  if (params.app_id !== keys.app_id) return unsigned(INVALID_APP_ID);
  const key = ERROR_RESPONSE_METHODS.has(method) ? 'error_response' : responseKey(method);
  const no = (result: GatewayResult): Checked => ({ ok: false, key, result });
  for (const name of ['sign_type', 'sign', 'timestamp', 'version'] as const)
    if (!params[name]) return no(missingCommon(name));
  if (params.sign_type !== 'RSA2' && params.sign_type !== 'RSA') return no(INVALID_SIGNATURE_TYPE);
  if (params.charset && !/^(utf-8|gbk|gb2312)$/i.test(params.charset)) return no(INVALID_CHARSET);
  if (!parseAlipayTime(params.timestamp!)) return no(INVALID_TIMESTAMP);
  const verified = verifyRequest(params, keys.app_public_key);
  if (!verified.ok) return no(invalidSignature(verified.content));
  if (params.app_auth_token !== undefined && params.app_auth_token !== keys.app_auth_token)
    return no(INVALID_APP_AUTH_TOKEN);
  let biz: Record<string, unknown> = {};
  if (params.biz_content !== undefined) {
    try {
      const parsed: unknown = JSON.parse(params.biz_content);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      biz = parsed as Record<string, unknown>;
    } catch {
      return no({
        code: '40002',
        msg: 'Invalid Arguments',
        sub_code: 'isv.invalid-parameter',
        sub_msg: 'biz_content 不是合法的JSON',
      });
    }
  }
  return { ok: true, method, params, biz };
}

export function sendSigned(
  reply: FastifyReply,
  ctx: SandboxContext,
  key: string,
  inner: Record<string, unknown>,
) {
  return reply
    .code(200)
    .header('content-type', 'text/html;charset=utf-8')
    .send(buildSignedResponse(key, inner, ctx.keys.alipay.alipay_private_key));
}

export function runMethod(method: string, call: MethodCall): { key: string; inner: Record<string, unknown> } {
  const key = ERROR_RESPONSE_METHODS.has(method) ? 'error_response' : responseKey(method);
  let answer: MethodAnswer;
  try {
    answer = METHODS[method]!(call);
  } catch (error) {
    if (!(error instanceof BizInputError)) throw error;
    return { key, inner: { ...error.result } };
  }
  const okKey = ERROR_RESPONSE_METHODS.has(method) && !answer.result ? responseKey(method) : key;
  return { key: okKey, inner: { ...answer.result, ...answer.fields } };
}

/**
 * Applies an API fault. Returns true when the request has been dealt with (held then dropped,
 * 5xx, or the system-error answer), false to go on normally.
 */
export async function applyFault(
  ctx: SandboxContext,
  method: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  const fault = ctx.faults.take('alipay', operationOf(method), API_FAULTS);
  if (!fault) return false;
  if (fault === 'timeout') {
    await ctx.scheduler.hold(HOLD_MS);
    reply.hijack();
    request.raw.socket.destroy(); // the client sees the connection die without an answer
    return true;
  }
  if (fault === 'error_5xx') {
    await reply
      .code(503)
      .header('content-type', 'text/html;charset=utf-8')
      .send('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    return true;
  }
  const key = ERROR_RESPONSE_METHODS.has(method) ? 'error_response' : responseKey(method);
  await sendSigned(reply, ctx, key, { ...SYSTEM_ERROR });
  return true;
}

export function registerGateway(
  app: FastifyInstance,
  ctx: SandboxContext,
  store: AlipayTradeStore,
  later: MethodCall['later'],
  page: (checked: Checked, reply: FastifyReply) => unknown,
): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = requestParams(request);
    const method = params?.method;
    if (
      method &&
      (method in METHODS || PAGE_METHODS.has(method)) &&
      (await applyFault(ctx, method, request, reply))
    )
      return reply;
    const checked = checkRequest(params, ctx);
    if (!checked.ok) {
      if (method && PAGE_METHODS.has(method)) return page(checked, reply);
      if (checked.unsigned)
        return reply
          .code(200)
          .header('content-type', 'text/html;charset=utf-8')
          .send(buildUnsignedRefusal({ ...checked.result }));
      return sendSigned(reply, ctx, checked.key, { ...checked.result });
    }
    if (PAGE_METHODS.has(checked.method)) return page(checked, reply);
    const { key, inner } = runMethod(checked.method, {
      params: checked.params,
      biz: checked.biz,
      ctx,
      store,
      later,
    });
    if (ctx.faults.take('alipay', operationOf(checked.method), LOST_ANSWER_FAULTS)) {
      reply.hijack();
      request.raw.socket.destroy(); // done at Alipay; the answer is lost on the way back
      return reply;
    }
    return sendSigned(reply, ctx, key, inner);
  };
  app.post('/alipay/gateway.do', handler);
  app.get('/alipay/gateway.do', handler);
}
