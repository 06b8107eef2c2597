import { merchantAppId } from './alipay/notify.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FaultMode, PayCodeScenario, SandboxChannel, SandboxContext, Wallet } from './context.js';
import { jsonBody } from './json-body.js';
import { CHANNEL_IDS } from '../core/channel-ids.js';

const CHANNELS: readonly SandboxChannel[] = CHANNEL_IDS;
const MODES: FaultMode[] = [
  'timeout',
  'error_5xx',
  'system_error',
  'lost_answer',
  'duplicate_notify',
  'delay_notify',
  'drop_notify',
  'reorder_notify',
  'abnormal',
];
/** only WeChat refunds have an ABNORMAL end (退款异常) */
const ABNORMAL_OPERATIONS = ['refund', 'apply_abnormal_refund'];
const WALLETS: Wallet[] = ['wechat', 'alipay', 'unionpay'];
const SCENARIOS: PayCodeScenario[] = ['success', 'password', 'timeout', 'insufficient_funds'];

function bad(reply: FastifyReply, message: string, param: string) {
  return reply
    .code(400)
    .send({ error: { type: 'invalid_request_error', code: 'parameter_invalid', message, param } });
}

/** The sandbox's own control routes: faults, payment codes, credentials, notification history. */
export function registerCommonSandboxRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/sandbox/faults', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 'send a JSON object', 'body');
    const { channel, operation, mode, count = 1 } = body;
    if (!CHANNELS.includes(channel as SandboxChannel))
      return bad(reply, `channel must be one of ${CHANNELS.join(', ')}`, 'channel');
    if (typeof operation !== 'string' || !/^[a-z0-9_*.]{1,40}$/.test(operation))
      return bad(reply, 'operation must be an operation name or *', 'operation');
    if (!MODES.includes(mode as FaultMode))
      return bad(reply, `mode must be one of ${MODES.join(', ')}`, 'mode');
    if (mode === 'abnormal' && (channel !== 'wechatpay' || !ABNORMAL_OPERATIONS.includes(operation)))
      return bad(reply, `mode abnormal is for wechatpay ${ABNORMAL_OPERATIONS.join(' or ')}`, 'operation');
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 1000)
      return bad(reply, 'count must be an integer 0…1000', 'count');
    ctx.faults.set({ channel: channel as SandboxChannel, operation, mode: mode as FaultMode, count });
    return { faults: ctx.faults.list() };
  });
  app.get('/sandbox/faults', async () => ({ faults: ctx.faults.list() }));
  app.delete('/sandbox/faults', async () => {
    ctx.faults.clear();
    return { faults: [] };
  });

  app.post('/sandbox/paycodes', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 'send a JSON object', 'body');
    const { wallet, scenario = 'success' } = body;
    if (!WALLETS.includes(wallet as Wallet))
      return bad(reply, `wallet must be one of ${WALLETS.join(', ')}`, 'wallet');
    if (!SCENARIOS.includes(scenario as PayCodeScenario))
      return bad(reply, `scenario must be one of ${SCENARIOS.join(', ')}`, 'scenario');
    const code = ctx.paycodes.issue(wallet as Wallet, scenario as PayCodeScenario);
    return reply.code(201).send({ object: 'paycode', wallet, scenario, auth_code: code });
  });

  app.get('/sandbox/notifications', async () => ({ notifications: ctx.notifier.history() }));

  app.get('/sandbox/credentials', async () => {
    const { wechatpay: w, alipay: a, unionpay: u } = ctx.keys;
    return {
      wechatpay: {
        base_url: `${ctx.baseUrl}/wechatpay/`,
        sp_mchid: w.sp_mchid,
        sp_appid: w.sp_appid,
        sub_mchid: w.sub_mchid,
        sub_appid: w.sub_appid,
        merchant_serial: w.merchant_serial,
        merchant_private_key: w.merchant_private_key,
        platform_serial: w.platform_public_key_id,
        platform_public_key: w.platform_public_key,
        platform_cert_serial: w.platform_cert_serial,
        platform_cert: w.platform_cert_pem,
        apiv3_key: w.apiv3_key,
        apiv2_key: w.apiv2_key,
      },
      alipay: {
        gateway: `${ctx.baseUrl}/alipay/gateway.do`,
        app_id: a.app_id,
        app_private_key: a.app_private_key,
        alipay_public_key: a.alipay_public_key,
        app_auth_token: a.app_auth_token,
        auth_app_id: merchantAppId(a.seller_id),
        seller_id: a.seller_id,
        isv_pid: a.isv_pid,
      },
      unionpay: {
        base_url: `${ctx.baseUrl}/unionpay/`,
        mer_id: u.mer_id,
        cert_id: u.cert_id,
        sign_private_key: u.sign_private_key,
        sign_cert: u.sign_cert_pem,
        verify_public_key: u.verify_public_key,
        verify_cert: u.unionpay_cert_pem,
        root_cert: u.root_cert_pem,
        middle_cert: u.middle_cert_pem,
      },
    };
  });
}
