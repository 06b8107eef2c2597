import type { FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { AuditActor } from '../audit.js';
import { IdParam } from '../../http/schemas.js';

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
