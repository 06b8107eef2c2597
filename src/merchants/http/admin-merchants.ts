import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { getMerchant, listMerchants } from '../tenancy.js';
import { merchantObject } from '../views.js';
import { addMerchant, changeMerchantStatus } from '../tenant-changes.js';
import type { PlatformContext } from '../../platform/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { registerAdminAppRoutes } from './admin-apps.js';
import { registerAdminAuditRoutes } from './admin-audit.js';
import { registerAdminChannelRoutes } from './admin-channels.js';
import { adminActor, security, tenantLevelRoutes } from './admin-common.js';
import { registerAdminOnboardingRoutes } from './admin-onboarding.js';
import { registerAdminProviderRoutes } from './admin-providers.js';
import { registerAdminStoreRoutes } from './admin-stores.js';

const tags = ['admin: tenants'];

/** Merchants under /admin/v1, and the other admin route files of the merchants module. */
export function registerAdminMerchantRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  registerAdminProviderRoutes(scope, ctx);
  registerMerchantRoutes(scope, ctx);
  registerAdminStoreRoutes(scope, ctx);
  registerAdminAppRoutes(scope, ctx);
  registerAdminChannelRoutes(scope, ctx);
  registerAdminOnboardingRoutes(scope, ctx);
  registerAdminAuditRoutes(scope, ctx);
}

function registerMerchantRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db, clock } = ctx;

  tenantLevelRoutes(scope, {
    tags,
    path: '/merchants',
    prefix: 'mch',
    parent: { field: 'service_provider_id', prefix: 'isp' },
    summaries: {
      create: 'Create a merchant',
      list: 'List merchants, newest first',
      retrieve: 'Retrieve a merchant',
    },
    filters: { status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])) },
    add: (name, serviceProviderId, by) => addMerchant(db, { name, serviceProviderId }, clock, by),
    list: (window, q: { service_provider_id?: string; status?: 'active' | 'suspended' }) =>
      listMerchants(db, { ...window, serviceProviderId: q.service_provider_id, status: q.status }),
    get: (id) => getMerchant(db, id),
    view: merchantObject,
  });

  for (const action of ['suspend', 'activate'] as const) {
    scope.post(
      `/merchants/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'suspend'
              ? 'Suspend a merchant: new orders are refused (403 merchant_suspended); existing ones carry on'
              : 'Reactivate a suspended merchant',
          security,
          params: Strict({ id: IdParam('mch') }),
          ...(action === 'suspend'
            ? {
                body: Type.Optional(
                  Strict({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }),
                ),
              }
            : {}),
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const reason = (request.body as { reason?: string } | undefined)?.reason ?? null;
        return changeMerchantStatus(db, id, action, reason, clock, adminActor(request));
      },
    );
  }
}
