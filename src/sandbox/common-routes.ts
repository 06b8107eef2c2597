import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FaultMode, PayCodeScenario, SandboxChannel, SandboxContext, Wallet } from './context.js';
import { sandboxCredentials } from './credentials.js';
import { jsonBody } from './json-body.js';
import { CHANNEL_IDS } from '../channels/index.js';

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

  app.get('/sandbox/credentials', async () => sandboxCredentials(ctx.keys, ctx.baseUrl));
}
