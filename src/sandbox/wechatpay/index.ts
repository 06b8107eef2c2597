import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.js';
import { registerApplymentRoutes } from '../onboarding/wechat-applyment.js';
import { registerBillRoutes } from './bill-routes.js';
import { registerCertificateRoutes } from './certificate-routes.js';
import { WechatSimulator } from './simulator.js';
import { registerV2Routes } from './v2-routes.js';
import { registerV3OrderRoutes } from './v3-order-routes.js';
import { registerV3AbnormalRefundRoutes } from './v3-abnormal-refund-routes.js';
import { registerV3RefundRoutes } from './v3-refund-routes.js';
import { registerWalletRoutes } from './wallet-routes.js';

/**
 * The WeChat Pay simulator: APIv3 partner API and APIv2 付款码 under /wechatpay (the base URL an
 * official client points at), the customer's wallet under /wechatpay/connect, /wechatpay/sns and
 * /sandbox/wechat.
 */
export async function registerWechatpaySandbox(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  const sim = new WechatSimulator(ctx);
  registerV3OrderRoutes(app, sim);
  registerV3RefundRoutes(app, sim);
  registerV3AbnormalRefundRoutes(app, sim);
  registerBillRoutes(app, sim);
  registerV2Routes(app, sim);
  registerWalletRoutes(app, sim);
  registerEchoRoute(app, sim);
  registerCertificateRoutes(app, sim);
  registerApplymentRoutes(app, sim);
}

/** POST /v3/security/echo: checks a merchant's signing without a trade; echoes the body, signed */
function registerEchoRoute(app: FastifyInstance, sim: WechatSimulator): void {
  app.post('/wechatpay/v3/security/echo', async (request, reply) => {
    if (!sim.authenticate(request, reply)) return reply;
    const body = typeof request.body === 'string' && request.body !== '' ? request.body : '{}';
    try {
      return sim.sendSigned(reply, 200, JSON.parse(body));
    } catch {
      return sim.error(reply, 400, 'PARAM_ERROR', '请求体不是合法的JSON');
    }
  });
}

export { WechatSimulator } from './simulator.js';
export { WechatTradeStore } from './trade-store.js';
