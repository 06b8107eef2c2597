import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { parseLimit, toPage } from '../../core/pagination.js';
import type { PlatformContext } from '../../platform/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { addApp, changeAppStatus, rotateSecret } from '../app-changes.js';
import { getApp, listApps } from '../apps.js';
import { getMerchant } from '../tenancy.js';
import { appObject } from '../views.js';
import { adminActor, HttpUrl, listQuery, Name, security, type ListParams } from './admin-common.js';

const tags = ['admin: apps'];

/** Apps (merchant API credentials): create, list, rotate the secret, disable / enable. */
export function registerAdminAppRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db } = ctx;

  scope.post(
    '/merchants/:id/apps',
    {
      schema: {
        tags,
        summary: 'Create an app (API credentials); the secret is shown once',
        security,
        params: Strict({ id: IdParam('mch') }),
        body: Strict({ name: Name, notify_url: Type.Optional(HttpUrl) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as { name: string; notify_url?: string };
      const credentials = await addApp(
        ctx,
        { merchantId: id, name: body.name, notifyUrl: body.notify_url ?? null },
        adminActor(request),
      );
      return reply.code(201).send({ object: 'app', merchant_id: id, ...credentials });
    },
  );

  scope.get(
    '/merchants/:id/apps',
    {
      schema: {
        tags,
        summary: "List a merchant's apps (never their secrets), newest first",
        security,
        params: Strict({ id: IdParam('mch') }),
        querystring: Strict(listQuery('app')),
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as ListParams;
      const limit = parseLimit(q.limit);
      await getMerchant(db, id);
      return toPage(await listApps(db, id, { limit, startingAfter: q.starting_after }), limit, appObject);
    },
  );

  scope.get(
    '/apps/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve an app (without its secret)',
        security,
        params: Strict({ id: IdParam('app') }),
      },
    },
    async (request) => appObject(await getApp(db, (request.params as { id: string }).id)),
  );

  scope.post(
    '/apps/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Replace an app secret: the new one is shown once and the old one stops working at once',
        security,
        params: Strict({ id: IdParam('app') }),
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return rotateSecret(ctx, id, adminActor(request));
    },
  );

  for (const action of ['disable', 'enable'] as const) {
    scope.post(
      `/apps/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${action === 'disable' ? 'Disable' : 'Enable'} an app: a disabled app's requests get 401`,
          security,
          params: Strict({ id: IdParam('app') }),
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        return changeAppStatus(ctx, id, action, adminActor(request));
      },
    );
  }
}
