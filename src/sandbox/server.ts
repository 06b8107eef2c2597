import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { SandboxContext } from './context.js';
import { registerCommonSandboxRoutes } from './common-routes.js';
import { registerBillingRoutes } from './billing.js';

export type SandboxPlugin = (app: FastifyInstance, ctx: SandboxContext) => void | Promise<void>;

/**
 * The sandbox HTTP server. Every body reaches the simulators as the raw string that was sent,
 * because each channel verifies signatures over exact bytes and parses its own format
 * (JSON for WeChat v3, XML for v2, forms for Alipay and UnionPay).
 */
export async function buildSandboxApp(
  ctx: SandboxContext,
  plugins: readonly SandboxPlugin[],
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  registerCommonSandboxRoutes(app, ctx);
  registerBillingRoutes(app, ctx);
  for (const plugin of plugins) await plugin(app, ctx);
  return app;
}
