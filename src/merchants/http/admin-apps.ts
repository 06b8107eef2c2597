import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { PlatformContext } from '../../platform/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { addApp, changeAppStatus, rotateSecret } from '../app-changes.js';
import { getApp, listApps } from '../apps.js';
import { getMerchant } from '../tenancy.js';
import { appObject } from '../views.js';
import {
  adminActor,
  createRoute,
  HttpUrl,
  listRoute,
  Name,
  retrieveRoute,
  security,
} from './admin-common.js';

const tags = ['admin: apps'];

/** Apps (merchant API credentials): create, list, rotate the secret, disable / enable. */
export function registerAdminAppRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db } = ctx;

  createRoute(
    scope,
    '/merchants/:id/apps',
    {
      tags,
      summary: 'Create an app (API credentials); the secret is shown once',
      parent: 'mch',
      body: Strict({ name: Name, notify_url: Type.Optional(HttpUrl) }),
    },
    async (body: { name: string; notify_url?: string }, by, merchantId) => {
      const input = { merchantId, name: body.name, notifyUrl: body.notify_url ?? null };
      return { object: 'app', merchant_id: merchantId, ...(await addApp(ctx, input, by)) };
    },
  );

  listRoute(
    scope,
    '/merchants/:id/apps',
    {
      tags,
      summary: "List a merchant's apps (never their secrets), newest first",
      parent: 'mch',
      prefix: 'app',
    },
    async (window, _q, merchantId) => {
      await getMerchant(db, merchantId);
      return listApps(db, merchantId, window);
    },
    appObject,
  );

  retrieveRoute(
    scope,
    '/apps/:id',
    { tags, summary: 'Retrieve an app (without its secret)', prefix: 'app' },
    async (id) => appObject(await getApp(db, id)),
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
