import type { FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { Clock } from '../../core/clock.js';
import { writeAudit, type AuditEntry } from '../audit.js';
import type { Queryable } from '../../platform/db/index.js';
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

/** Who made an admin change. One admin token today; operator accounts will name the operator. */
export function actorOf(_request: FastifyRequest): string {
  return 'admin';
}

/** Records an admin change in the audit log, inside the change's transaction. */
export function audit(
  db: Queryable,
  request: FastifyRequest,
  clock: Clock,
  entry: Omit<AuditEntry, 'actor' | 'requestId'>,
): Promise<void> {
  return writeAudit(db, { ...entry, actor: actorOf(request), requestId: request.id }, clock);
}
