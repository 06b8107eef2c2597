import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { addStore, addTerminal } from '../tenant-changes.js';
import type { PlatformContext } from '../../platform/context.js';
import { Strict } from '../../http/schemas.js';
import { createRoute, listRoute, Name, retrieveRoute } from './admin-common.js';
import { getMerchant, getStore, listStores, listTerminals } from '../tenancy.js';
import { storeObject, terminalObject } from '../views.js';

const tags = ['admin: tenants'];

/** Stores of merchants and terminals of stores under /admin/v1. */
export function registerAdminStoreRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db, clock } = ctx;

  createRoute(
    scope,
    '/merchants/:id/stores',
    { tags, summary: 'Create a store for a merchant', parent: 'mch', body: Strict({ name: Name }) },
    (body: { name: string }, by, merchantId) => addStore(db, merchantId, body.name, clock, by),
  );

  listRoute(
    scope,
    '/merchants/:id/stores',
    { tags, summary: "List a merchant's stores, newest first", parent: 'mch', prefix: 'sto' },
    async (window, _q, merchantId) => {
      await getMerchant(db, merchantId);
      return listStores(db, merchantId, window);
    },
    storeObject,
  );

  retrieveRoute(scope, '/stores/:id', { tags, summary: 'Retrieve a store', prefix: 'sto' }, async (id) =>
    storeObject(await getStore(db, id)),
  );

  createRoute(
    scope,
    '/stores/:id/terminals',
    {
      tags,
      summary: 'Register a terminal (POS, scanner, cloud speaker) in a store',
      parent: 'sto',
      body: Strict({
        name: Name,
        device_sn: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' })),
      }),
    },
    (body: { name: string; device_sn?: string }, by, storeId) =>
      addTerminal(db, { storeId, name: body.name, deviceSn: body.device_sn ?? null }, clock, by),
  );

  listRoute(
    scope,
    '/stores/:id/terminals',
    { tags, summary: "List a store's terminals, newest first", parent: 'sto', prefix: 'trm' },
    async (window, _q, storeId) => {
      await getStore(db, storeId);
      return listTerminals(db, storeId, window);
    },
    terminalObject,
  );
}
