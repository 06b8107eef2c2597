import type { FastifyInstance } from 'fastify';
import { addInstitution, addServiceProvider } from '../tenant-changes.js';
import type { PlatformContext } from '../../platform/context.js';
import { Strict } from '../../http/schemas.js';
import { createRoute, listRoute, Name, tenantLevelRoutes } from './admin-common.js';
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

  tenantLevelRoutes(scope, {
    tags,
    path: '/service-providers',
    prefix: 'isp',
    parent: { field: 'institution_id', prefix: 'ins' },
    summaries: {
      create: 'Create a service provider (ISV); without institution_id it joins the first institution',
      list: 'List service providers, newest first',
      retrieve: 'Retrieve a service provider',
    },
    add: (name, institutionId, by) => addServiceProvider(db, { name, institutionId }, clock, by),
    list: (window, q: { institution_id?: string }) =>
      listServiceProviders(db, { ...window, institutionId: q.institution_id }),
    get: (id) => getServiceProvider(db, id, 'id'),
    view: serviceProviderObject,
  });
}
