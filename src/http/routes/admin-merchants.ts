import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import { createApp, setAppStatus } from '../../merchants/apps.js';
import {
  createMerchant,
  createStore,
  defaultInstitution,
  getMerchant,
  getServiceProvider,
} from '../../merchants/tenancy.js';
import { inTransaction } from '../../platform/db/index.js';
import type { AppContext } from '../context.js';
import { IdParam, Strict } from '../schemas.js';

const security = [{ adminToken: [] }];
const Name = Type.String({ minLength: 1, maxLength: 128 });
const HttpUrl = Type.String({ maxLength: 1024, pattern: '^https?://[^\\s]+$' });

function merchantObject(row: Awaited<ReturnType<typeof getMerchant>>) {
  return {
    object: 'merchant' as const,
    id: row.id,
    name: row.name,
    institution_id: row.institution_id,
    service_provider_id: row.service_provider_id,
    status: row.status,
    created_at: row.created_at.toISOString(),
  };
}

export function registerAdminMerchantRoutes(scope: FastifyInstance, ctx: AppContext): void {
  scope.post(
    '/merchants',
    {
      schema: {
        tags: ['admin: merchants'],
        summary: 'Create a merchant',
        security,
        body: Strict({ name: Name, service_provider_id: Type.Optional(IdParam('isp')) }),
      },
    },
    async (request, reply) => {
      const body = request.body as { name: string; service_provider_id?: string };
      const merchant = await inTransaction(ctx.db, async (tx) => {
        const institutionId = body.service_provider_id
          ? (await getServiceProvider(tx, body.service_provider_id)).institution_id
          : (await defaultInstitution(tx, ctx.clock)).id;
        return createMerchant(
          tx,
          { name: body.name, institutionId, serviceProviderId: body.service_provider_id ?? null },
          ctx.clock,
        );
      });
      return reply.code(201).send(merchantObject(merchant));
    },
  );

  scope.get(
    '/merchants/:id',
    {
      schema: {
        tags: ['admin: merchants'],
        summary: 'Retrieve a merchant',
        security,
        params: Strict({ id: IdParam('mch') }),
      },
    },
    async (request) => merchantObject(await getMerchant(ctx.db, (request.params as { id: string }).id)),
  );

  scope.post(
    '/merchants/:id/stores',
    {
      schema: {
        tags: ['admin: merchants'],
        summary: 'Create a store for a merchant',
        security,
        params: Strict({ id: IdParam('mch') }),
        body: Strict({ name: Name }),
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      await getMerchant(ctx.db, id);
      const store = await createStore(ctx.db, id, (request.body as { name: string }).name, ctx.clock);
      return reply.code(201).send({
        object: 'store',
        id: store.id,
        merchant_id: store.merchant_id,
        name: store.name,
        created_at: store.created_at.toISOString(),
      });
    },
  );

  scope.post(
    '/merchants/:id/apps',
    {
      schema: {
        tags: ['admin: merchants'],
        summary: 'Create an app (API credentials); the secret is shown once',
        security,
        params: Strict({ id: IdParam('mch') }),
        body: Strict({ name: Name, notify_url: Type.Optional(HttpUrl) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as { name: string; notify_url?: string };
      await getMerchant(ctx.db, id);
      const credentials = await createApp(
        ctx.db,
        ctx.box,
        { merchantId: id, name: body.name, notifyUrl: body.notify_url ?? null },
        ctx.clock,
      );
      return reply.code(201).send({ object: 'app', merchant_id: id, ...credentials });
    },
  );

  for (const action of ['disable', 'enable'] as const) {
    scope.post(
      `/apps/:id/${action}`,
      {
        schema: {
          tags: ['admin: merchants'],
          summary: `${action === 'disable' ? 'Disable' : 'Enable'} an app: a disabled app's requests get 401`,
          security,
          params: Strict({ id: IdParam('app') }),
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const status = action === 'disable' ? 'disabled' : 'active';
        if (!(await setAppStatus(ctx.db, id, status)))
          throw new ApiError('resource_missing', `no app ${id}`, 'id');
        return { object: 'app', app_id: id, status };
      },
    );
  }
}
