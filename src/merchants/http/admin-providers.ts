import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { addInstitution, addServiceProvider } from '../tenant-changes.js';
import type { PlatformContext } from '../../platform/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { createRoute, listRoute, Name, retrieveRoute } from './admin-common.js';
import { getServiceProvider, listInstitutions, listServiceProviders } from '../tenancy.js';
import { institutionObject, serviceProviderObject } from '../views.js';

const tags = ['admin: tenants'];

/** Institutions (licensed operators) and service providers (ISVs) under /admin/v1. */
export function registerAdminProviderRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db, clock } = ctx;

  createRoute(
    scope,
    '/institutions',
    { tags, summary: 'Create an institution (a licensed operator)', body: Strict({ name: Name }) },
    (body: { name: string }, by) => addInstitution(db, body.name, clock, by),
  );

  listRoute(
    scope,
    '/institutions',
    { tags, summary: 'List institutions, newest first', prefix: 'ins' },
    (window) => listInstitutions(db, window),
    institutionObject,
  );

  createRoute(
    scope,
    '/service-providers',
    {
      tags,
      summary: 'Create a service provider (ISV); without institution_id it joins the first institution',
      body: Strict({ name: Name, institution_id: Type.Optional(IdParam('ins')) }),
    },
    (body: { name: string; institution_id?: string }, by) =>
      addServiceProvider(db, { name: body.name, institutionId: body.institution_id }, clock, by),
  );

  listRoute(
    scope,
    '/service-providers',
    {
      tags,
      summary: 'List service providers, newest first',
      prefix: 'isp',
      filters: { institution_id: Type.Optional(IdParam('ins')) },
    },
    (window, q: { institution_id?: string }) =>
      listServiceProviders(db, { ...window, institutionId: q.institution_id }),
    serviceProviderObject,
  );

  retrieveRoute(
    scope,
    '/service-providers/:id',
    { tags, summary: 'Retrieve a service provider', prefix: 'isp' },
    async (id) => serviceProviderObject(await getServiceProvider(db, id, 'id')),
  );
}
