import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { auditObject, listAudit } from '../audit.js';
import { parseLimit, toPage } from '../../core/pagination.js';
import type { PlatformContext } from '../../platform/context.js';
import { Strict } from '../../http/schemas.js';
import { Limit, security } from './admin-common.js';

/** GET /admin/v1/audit-log: every admin change, newest first, with before/after snapshots. */
export function registerAdminAuditRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  scope.get(
    '/audit-log',
    {
      schema: {
        tags: ['admin: audit'],
        summary: 'List audit entries (who changed what, before/after with secrets redacted), newest first',
        security,
        querystring: Strict({
          limit: Limit,
          starting_after: Type.Optional(
            Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'an audit entry id' }),
          ),
          object_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          merchant_id: Type.Optional(Type.String({ pattern: '^mch_[0-9a-z]{26}$' })),
          action: Type.Optional(Type.String({ pattern: '^[a-z_]+\\.[a-z_]+$', maxLength: 64 })),
        }),
      },
    },
    async (request) => {
      const q = request.query as {
        limit?: string;
        starting_after?: string;
        object_id?: string;
        merchant_id?: string;
        action?: string;
      };
      const limit = parseLimit(q.limit);
      const rows = await listAudit(ctx.db, {
        limit,
        ...(q.starting_after ? { startingAfter: Number(q.starting_after) } : {}),
        ...(q.object_id ? { objectId: q.object_id } : {}),
        ...(q.merchant_id ? { merchantId: q.merchant_id } : {}),
        ...(q.action ? { action: q.action } : {}),
      });
      return toPage(rows, limit, auditObject);
    },
  );
}
