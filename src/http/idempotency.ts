import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../platform/db/index.js';
import { claimKey, settleKey } from '../platform/idempotency.js';

/**
 * `Idempotency-Key` on any merchant POST (CONTRACT §2): the first request with a key runs and its
 * response is stored for 7 days; a repeat with the same method, path and body gets the stored
 * response; the same key with anything else is 409. A claim row is written before the handler
 * runs, so concurrent duplicates can't both run. A 5xx response releases the key for a retry.
 * The rows are kept by platform/idempotency.ts.
 */

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: { appId: string; key: string } | null;
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method}\n${request.url}\n${request.rawBody}`).digest('hex');
}

/** Hooks for the /v1 scope; they run after merchant authentication. */
export function registerIdempotency(scope: FastifyInstance, db: Db, clock: Clock): void {
  scope.decorateRequest('idempotencyClaim', null);
  scope.addHook('preHandler', async (request, reply) => {
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !request.merchant) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || !KEY_PATTERN.test(key)) {
      throw new ApiError(
        'parameter_invalid',
        'Idempotency-Key must be 1-255 printable ASCII characters',
        'Idempotency-Key',
      );
    }
    const appId = request.merchant.appId;
    const claim = await claimKey(db, appId, key, requestHash(request), clock);
    if (claim.kind === 'conflict')
      throw new ApiError('idempotency_error', 'this Idempotency-Key was used with a different request');
    if (claim.kind === 'in_progress') throw new ApiError('idempotency_in_progress');
    if (claim.kind === 'replay') {
      return reply
        .code(claim.status)
        .header('idempotent-replayed', 'true')
        .type('application/json; charset=utf-8')
        .send(claim.body);
    }
    request.idempotencyClaim = { appId, key };
  });
  scope.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = null;
    await settleKey(db, claim.appId, claim.key, reply.statusCode, typeof payload === 'string' ? payload : '');
    return payload;
  });
}
