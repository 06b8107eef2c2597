import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { parseLimit, toPage } from '../../core/pagination.js';
import { addStore, addTerminal } from '../tenant-changes.js';
import type { PlatformContext } from '../../platform/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { adminActor, listQuery, Name, security, type ListParams } from './admin-common.js';
import { getMerchant, getStore, listStores, listTerminals } from '../tenancy.js';
import { storeObject, terminalObject } from '../views.js';

const tags = ['admin: tenants'];

/** Stores of merchants and terminals of stores under /admin/v1. */
export function registerAdminStoreRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db, clock } = ctx;

  scope.post(
    '/merchants/:id/stores',
    {
      schema: {
        tags,
        summary: 'Create a store for a merchant',
        security,
        params: Strict({ id: IdParam('mch') }),
        body: Strict({ name: Name }),
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { name } = request.body as { name: string };
      return reply.code(201).send(await addStore(db, id, name, clock, adminActor(request)));
    },
  );

  scope.get(
    '/merchants/:id/stores',
    {
      schema: {
        tags,
        summary: "List a merchant's stores, newest first",
        security,
        params: Strict({ id: IdParam('mch') }),
        querystring: Strict(listQuery('sto')),
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as ListParams;
      const limit = parseLimit(q.limit);
      await getMerchant(db, id);
      return toPage(await listStores(db, id, { limit, startingAfter: q.starting_after }), limit, storeObject);
    },
  );

  scope.get(
    '/stores/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve a store',
        security,
        params: Strict({ id: IdParam('sto') }),
      },
    },
    async (request) => storeObject(await getStore(db, (request.params as { id: string }).id)),
  );

  scope.post(
    '/stores/:id/terminals',
    {
      schema: {
        tags,
        summary: 'Register a terminal (POS, scanner, cloud speaker) in a store',
        security,
        params: Strict({ id: IdParam('sto') }),
        body: Strict({
          name: Name,
          device_sn: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }),
          ),
        }),
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as { name: string; device_sn?: string };
      const terminal = await addTerminal(
        db,
        { storeId: id, name: body.name, deviceSn: body.device_sn ?? null },
        clock,
        adminActor(request),
      );
      return reply.code(201).send(terminal);
    },
  );

  scope.get(
    '/stores/:id/terminals',
    {
      schema: {
        tags,
        summary: "List a store's terminals, newest first",
        security,
        params: Strict({ id: IdParam('sto') }),
        querystring: Strict(listQuery('trm')),
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as ListParams;
      const limit = parseLimit(q.limit);
      await getStore(db, id);
      return toPage(
        await listTerminals(db, id, { limit, startingAfter: q.starting_after }),
        limit,
        terminalObject,
      );
    },
  );
}
