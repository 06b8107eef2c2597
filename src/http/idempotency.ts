import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Db, Queryable } from '../platform/db/index.js';

/**
 * `Idempotency-Key` on any merchant POST (CONTRACT §2): the first request with a key runs and its
 * response is stored for 7 days; a repeat with the same method, path and body gets the stored
 * response; the same key with anything else is 409. A claim row is written before the handler
 * runs, so concurrent duplicates can't both run. A 5xx response releases the key for a retry.
 */

export const IDEMPOTENCY_TTL_MS = 7 * 24 * 3600 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: { appId: string; key: string } | null;
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method}\n${request.url}\n${request.rawBody}`).digest('hex');
}

type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'conflict' }
  | { kind: 'in_progress' };

export async function claimKey(
  db: Db,
  appId: string,
  key: string,
  hash: string,
  clock: Clock,
): Promise<Claim> {
  const now = clock.now();
  // An expired row is reusable: drop it first, so the insert below can take the key.
  await db
    .deleteFrom('idempotency_keys')
    .where('app_id', '=', appId)
    .where('key', '=', key)
    .where('expires_at', '<=', now)
    .execute();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      app_id: appId,
      key,
      request_hash: hash,
      status: 'in_progress',
      response_status: null,
      response_body: null,
      created_at: now,
      expires_at: new Date(clock.nowMs() + IDEMPOTENCY_TTL_MS),
    })
    .onConflict((oc) => oc.columns(['app_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed' };
  const row = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('app_id', '=', appId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return claimKey(db, appId, key, hash, clock); // released between our insert and select
  if (row.request_hash !== hash) return { kind: 'conflict' };
  if (row.status !== 'done' || row.response_status === null) return { kind: 'in_progress' };
  return { kind: 'replay', status: row.response_status, body: row.response_body ?? '' };
}

export async function settleKey(
  db: Db,
  appId: string,
  key: string,
  status: number,
  body: string,
): Promise<void> {
  if (status >= 500) {
    await db.deleteFrom('idempotency_keys').where('app_id', '=', appId).where('key', '=', key).execute();
    return;
  }
  await db
    .updateTable('idempotency_keys')
    .set({ status: 'done', response_status: status, response_body: body })
    .where('app_id', '=', appId)
    .where('key', '=', key)
    .execute();
}

export async function purgeExpiredKeys(db: Queryable, clock: Clock): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<=', clock.now())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
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
