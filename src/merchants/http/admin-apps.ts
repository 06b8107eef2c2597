import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { createApp, getApp, listApps, rotateAppSecret, setAppStatus } from '../apps.js';
import { appChanged } from '../../http/auth/app-credentials.js';
import { parseLimit, toPage } from '../../core/pagination.js';
import { getMerchant } from '../tenancy.js';
import { appObject } from '../views.js';
import { inTransaction } from '../../platform/db/index.js';
import type { AppContext } from '../../http/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { audit, HttpUrl, listQuery, Name, security, type ListParams } from './admin-common.js';

const tags = ['admin: apps'];

/** Apps (merchant API credentials): create, list, rotate the secret, disable / enable. */
export function registerAdminAppRoutes(scope: FastifyInstance, ctx: AppContext): void {
  const { db, box, clock } = ctx;

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
      const credentials = await inTransaction(db, async (tx) => {
        await getMerchant(tx, id);
        const created = await createApp(
          tx,
          box,
          { merchantId: id, name: body.name, notifyUrl: body.notify_url ?? null },
          clock,
        );
        await audit(tx, request, clock, {
          action: 'app.create',
          objectType: 'app',
          objectId: created.app_id,
          merchantId: id,
          after: appObject(await getApp(tx, created.app_id)),
        });
        return created;
      });
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
      const result = await inTransaction(db, async (tx) => {
        const change = await rotateAppSecret(tx, box, id, clock);
        await audit(tx, request, clock, {
          action: 'app.rotate_secret',
          objectType: 'app',
          objectId: id,
          merchantId: change.after.merchant_id,
          before: appObject(change.before),
          after: appObject(change.after),
        });
        return change;
      });
      await appChanged(ctx.cache, id); // every node drops the old secret now
      return { ...appObject(result.after), app_secret: result.secret };
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
        const status = action === 'disable' ? 'disabled' : 'active';
        const after = await inTransaction(db, async (tx) => {
          const change = await setAppStatus(tx, id, status);
          if (change.before.status !== change.after.status) {
            await audit(tx, request, clock, {
              action: `app.${action}`,
              objectType: 'app',
              objectId: id,
              merchantId: change.after.merchant_id,
              before: appObject(change.before),
              after: appObject(change.after),
            });
          }
          return change.after;
        });
        await appChanged(ctx.cache, id);
        return appObject(after);
      },
    );
  }
}
