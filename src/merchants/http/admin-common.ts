import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { parseLimit, toPage } from '../../core/pagination.js';
import type { AuditActor } from '../audit.js';
import type { ListWindow } from '../tenancy.js';
import { IdParam, Strict } from '../../http/schemas.js';

/** Pieces shared by the /admin/v1 route files. */

export const security = [{ adminToken: [] }];
export const Name = Type.String({ minLength: 1, maxLength: 128 });
export const HttpUrl = Type.String({ maxLength: 1024, pattern: '^https?://[^\\s]+$' });
export const Limit = Type.Optional(
  Type.String({ pattern: '^[0-9]{1,4}$', description: 'page size, 1–100 (default 20)' }),
);

/** limit + starting_after for a list of objects whose ids have `prefix`. */
export function listQuery(prefix: string, extra: Record<string, TSchema> = {}) {
  return {
    limit: Limit,
    starting_after: Type.Optional(IdParam(prefix)),
    ...extra,
  };
}

export interface ListParams {
  limit?: string;
  starting_after?: string;
}

/** Who makes an admin change: the admin token holder today (operator accounts will name the operator). */
export function adminActor(request: FastifyRequest): AuditActor {
  return { actor: 'admin', requestId: request.id };
}

/*
 * The three routes most admin objects have (create, list, retrieve), so that each route file
 * only says what differs: its path, its documentation and which domain function it calls.
 */

/** The OpenAPI operation: its tag and one-line summary. */
export interface RouteDoc {
  tags: string[];
  summary: string;
}

/** The path's `:id`, an id with `prefix`; none when `prefix` is not given. */
function idParams(prefix: string | undefined) {
  return prefix ? { params: Strict({ id: IdParam(prefix) }) } : {};
}

/** The path's `:id` ('' for a path without one). */
function pathId(request: FastifyRequest): string {
  return (request.params as { id?: string }).id ?? '';
}

/**
 * POST `path`: creates an object and answers 201 with it. `parent` is the id prefix of the
 * owner's `:id` in the path (the merchant of a store …); `create` gets that id.
 */
export function createRoute<Body>(
  scope: FastifyInstance,
  path: string,
  doc: RouteDoc & { parent?: string; body: TSchema },
  create: (body: Body, by: AuditActor, parentId: string) => Promise<unknown>,
): void {
  scope.post(
    path,
    { schema: { tags: doc.tags, summary: doc.summary, security, ...idParams(doc.parent), body: doc.body } },
    async (request, reply) => {
      const created = await create(request.body as Body, adminActor(request), pathId(request));
      return reply.code(201).send(created);
    },
  );
}

/**
 * GET `path`: a page of objects with id `prefix`, newest first, narrowed by `filters` (more
 * query parameters). Under a `parent`, `list` gets its id and answers 404 when it does not exist.
 */
export function listRoute<Query extends object, Row extends { id: string }, View>(
  scope: FastifyInstance,
  path: string,
  doc: RouteDoc & { parent?: string; prefix: string; filters?: Record<string, TSchema> },
  list: (window: ListWindow, query: Query, parentId: string) => Promise<Row[]>,
  view: (row: Row) => View,
): void {
  scope.get(
    path,
    {
      schema: {
        tags: doc.tags,
        summary: doc.summary,
        security,
        ...idParams(doc.parent),
        querystring: Strict(listQuery(doc.prefix, doc.filters)),
      },
    },
    async (request) => {
      const query = request.query as ListParams & Query;
      const limit = parseLimit(query.limit);
      const rows = await list({ limit, startingAfter: query.starting_after }, query, pathId(request));
      return toPage(rows, limit, view);
    },
  );
}

/** GET `path`: the object whose id (with `prefix`) is the path's `:id`. */
export function retrieveRoute(
  scope: FastifyInstance,
  path: string,
  doc: RouteDoc & { prefix: string },
  retrieve: (id: string) => Promise<unknown>,
): void {
  scope.get(
    path,
    { schema: { tags: doc.tags, summary: doc.summary, security, ...idParams(doc.prefix) } },
    async (request) => retrieve(pathId(request)),
  );
}

/**
 * A level of the tenant tree (service providers under institutions, merchants under service
 * providers): create one with a name and, optionally, its parent (the body's `parent.field`); list
 * them newest first, narrowed by the parent and `filters`; retrieve one.
 */
export function tenantLevelRoutes<Query extends object, Row extends { id: string }>(
  scope: FastifyInstance,
  level: {
    tags: string[];
    path: string;
    prefix: string;
    parent: { field: string; prefix: string };
    summaries: { create: string; list: string; retrieve: string };
    filters?: Record<string, TSchema>;
    add: (name: string, parentId: string | undefined, by: AuditActor) => Promise<unknown>;
    list: (window: ListWindow, query: Query) => Promise<Row[]>;
    get: (id: string) => Promise<Row>;
    view: (row: Row) => unknown;
  },
): void {
  const { tags, path, prefix, parent } = level;
  const parentId = Type.Optional(IdParam(parent.prefix));
  createRoute(
    scope,
    path,
    { tags, summary: level.summaries.create, body: Strict({ name: Name, [parent.field]: parentId }) },
    (body: Record<string, string>, by) => level.add(body.name!, body[parent.field], by),
  );
  listRoute(
    scope,
    path,
    { tags, summary: level.summaries.list, prefix, filters: { [parent.field]: parentId, ...level.filters } },
    level.list,
    level.view,
  );
  retrieveRoute(scope, `${path}/:id`, { tags, summary: level.summaries.retrieve, prefix }, async (id) =>
    level.view(await level.get(id)),
  );
}
