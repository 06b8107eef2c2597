import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/errors.js';
import { rejectInvalidJson } from '../body.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** `Authorization: Bearer <admin token>` on the /admin/v1 scope. */
export function registerAdminAuth(scope: FastifyInstance, adminToken: string): void {
  const expected = digest(adminToken);
  scope.addHook('preValidation', async (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected))
      throw new ApiError('admin_token_invalid');
    rejectInvalidJson(request);
  });
}
