import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { parseLimit, toPage } from '../../core/pagination.js';
import { addInstitution, addServiceProvider } from '../tenant-changes.js';
import type { PlatformContext } from '../../platform/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { adminActor, listQuery, Name, security, type ListParams } from './admin-common.js';
import { getServiceProvider, listInstitutions, listServiceProviders } from '../tenancy.js';
import { institutionObject, serviceProviderObject } from '../views.js';

const tags = ['admin: tenants'];

/** Institutions (licensed operators) and service providers (ISVs) under /admin/v1. */
export function registerAdminProviderRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db, clock } = ctx;

  scope.post(
    '/institutions',
    {
      schema: {
        tags,
        summary: 'Create an institution (a licensed operator)',
        security,
        body: Strict({ name: Name }),
      },
    },
    async (request, reply) => {
      const { name } = request.body as { name: string };
      return reply.code(201).send(await addInstitution(db, name, clock, adminActor(request)));
    },
  );

  scope.get(
    '/institutions',
    {
      schema: {
        tags,
        summary: 'List institutions, newest first',
        security,
        querystring: Strict(listQuery('ins')),
      },
    },
    async (request) => {
      const q = request.query as ListParams;
      const limit = parseLimit(q.limit);
      return toPage(
        await listInstitutions(db, { limit, startingAfter: q.starting_after }),
        limit,
        institutionObject,
      );
    },
  );

  scope.post(
    '/service-providers',
    {
      schema: {
        tags,
        summary: 'Create a service provider (ISV); without institution_id it joins the first institution',
        security,
        body: Strict({ name: Name, institution_id: Type.Optional(IdParam('ins')) }),
      },
    },
    async (request, reply) => {
      const body = request.body as { name: string; institution_id?: string };
      const provider = await addServiceProvider(
        db,
        { name: body.name, institutionId: body.institution_id },
        clock,
        adminActor(request),
      );
      return reply.code(201).send(provider);
    },
  );

  scope.get(
    '/service-providers',
    {
      schema: {
        tags,
        summary: 'List service providers, newest first',
        security,
        querystring: Strict(listQuery('isp', { institution_id: Type.Optional(IdParam('ins')) })),
      },
    },
    async (request) => {
      const q = request.query as ListParams & { institution_id?: string };
      const limit = parseLimit(q.limit);
      const rows = await listServiceProviders(db, {
        limit,
        startingAfter: q.starting_after,
        institutionId: q.institution_id,
      });
      return toPage(rows, limit, serviceProviderObject);
    },
  );

  scope.get(
    '/service-providers/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve a service provider',
        security,
        params: Strict({ id: IdParam('isp') }),
      },
    },
    async (request) =>
      serviceProviderObject(await getServiceProvider(db, (request.params as { id: string }).id, 'id')),
  );
}
