import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { newId } from '../core/ids.js';
import { registerAdminAuth } from './auth/admin-auth.js';
import { registerMerchantAuth } from './auth/merchant-auth.js';
import { BODY_LIMIT, registerJsonBody } from './body.js';
import type { AppContext } from './context.js';
import { characterRulesAjvPlugin, registerCharacterRules } from './character-rules.js';
import { frameworkErrors, registerErrorHandling } from './errors.js';
import { registerIdempotency } from './idempotency.js';
import { registerOpenApi } from './openapi.js';
import { lazyValidators } from './lazy-validation.js';
import { registerAdminMerchantRoutes } from '../merchants/index.js';
import { registerHealthRoutes } from './health.js';
import {
  plateOrderCreator,
  registerAdminPaymentRoutes,
  registerAdminRefundRoutes,
  registerCashierAdminRoutes,
  registerCashierRoutes,
  registerChannelNotifyRoutes,
  registerOrderReadRoutes,
  registerOrderWriteRoutes,
  registerRefundRoutes,
} from '../payments/index.js';
import { registerPingRoute } from './ping.js';
import { registerEventRoutes, registerWebhookAdminRoutes } from '../notifications/index.js';
import {
  registerPlateAdminRoutes,
  registerPlatePages,
  type PlateOrderCreator,
} from '../merchants/plates/index.js';
import { registerFeeAdminRoutes } from '../fees/index.js';
import { registerBalanceRoutes, registerLedgerAdminRoutes } from '../ledger/index.js';
import { registerRiskAdminRoutes, registerRiskMerchantRoutes } from '../risk/index.js';
import { registerSettlementAdminRoutes, registerSettlementMerchantRoutes } from '../settlement/index.js';
import { registerReconciliationAdminRoutes, unresolvedMismatches } from '../reconciliation/index.js';
import { orderRecovery } from '../payments/index.js';
import { registerProfileAdminRoutes, registerProfileMerchantRoutes } from '../profiles/index.js';

export const API_VERSION = '0.1.0';

export interface AppOptions {
  /** extra route registrations inside the authenticated /v1 scope (tests, later modules) */
  v1Routes?: Array<(scope: FastifyInstance, ctx: AppContext) => void>;
  /** how plate pages place orders; default: the payments module */
  plateOrders?: PlateOrderCreator;
}

export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const validators = lazyValidators();
  const app = Fastify({
    schemaController: { compilersFactory: { buildValidator: validators.buildValidator } },
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => newId('request', ctx.clock.nowMs()),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    frameworkErrors,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false },
      plugins: [characterRulesAjvPlugin],
    },
  });

  registerJsonBody(app);
  registerErrorHandling(app);
  registerCharacterRules(app); // before any route: every request string gets its character rule
  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    ctx.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'info' : 'debug';
    request.log[level](
      { method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
      'request',
    );
  });

  await registerOpenApi(app, API_VERSION);
  registerHealthRoutes(app, ctx);
  // plates take payments through the orders module (or a test double)
  registerPlatePages(app, ctx, options.plateOrders ?? plateOrderCreator(ctx));
  await registerChannelNotifyRoutes(app, ctx);
  registerCashierRoutes(app, ctx);

  await app.register(
    async (v1) => {
      registerMerchantAuth(v1, ctx);
      registerIdempotency(v1, ctx.db, ctx.clock);
      registerPingRoute(v1);
      registerOrderReadRoutes(v1, ctx);
      registerOrderWriteRoutes(v1, ctx);
      registerRefundRoutes(v1, ctx);
      registerEventRoutes(v1, ctx);
      registerBalanceRoutes(v1, ctx);
      if (ctx.risk) registerRiskMerchantRoutes(v1, ctx.risk);
      registerSettlementMerchantRoutes(v1, ctx);
      registerProfileMerchantRoutes(v1, ctx);
      for (const register of options.v1Routes ?? []) register(v1, ctx);
    },
    { prefix: '/v1' },
  );

  await app.register(
    async (admin) => {
      registerAdminAuth(admin, ctx.adminToken);
      registerAdminMerchantRoutes(admin, ctx);
      registerPlateAdminRoutes(admin, ctx);
      registerWebhookAdminRoutes(admin, ctx);
      registerCashierAdminRoutes(admin, ctx);
      registerAdminPaymentRoutes(admin, ctx);
      registerAdminRefundRoutes(admin, ctx);
      registerFeeAdminRoutes(admin, ctx);
      registerLedgerAdminRoutes(admin, ctx);
      if (ctx.risk) registerRiskAdminRoutes(admin, ctx.risk);
      registerSettlementAdminRoutes(admin, ctx, { unresolvedMismatches });
      registerReconciliationAdminRoutes(admin, { ...ctx, recoverOrder: orderRecovery(ctx) });
      registerProfileAdminRoutes(admin, ctx);
    },
    { prefix: '/admin/v1' },
  );

  // the pending validators compile once the server listens, after its start, not during it
  app.addHook('onListen', async () => validators.warmUp());
  return app;
}
