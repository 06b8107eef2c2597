import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unixSeconds } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import { randomToken } from '../../core/ids.js';
import { rejectInvalidJson } from '../body.js';
import { AppSecrets } from '../../merchants/index.js';
import type { AppContext } from '../context.js';
import {
  NONCE_TTL_S,
  TIMESTAMP_WINDOW_S,
  hmacBase64,
  messageCanonical,
  parseAuthorization,
  requestCanonical,
  signaturesEqual,
} from '../../core/signature.js';

export interface MerchantPrincipal {
  appId: string;
  merchantId: string;
  secret: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    merchant: MerchantPrincipal | null;
  }
}

/** Checks a merchant request per CONTRACT §2; throws the 401 it deserves. */
export async function authenticateMerchant(
  ctx: AppContext,
  apps: AppSecrets,
  request: FastifyRequest,
): Promise<MerchantPrincipal> {
  const parsed = parseAuthorization(request.headers.authorization);
  if (!parsed.ok) throw new ApiError('authentication_missing', parsed.problem);
  const { app_id, timestamp, nonce, signature } = parsed.parts;

  if (Math.abs(unixSeconds(ctx.clock) - Number(timestamp)) > TIMESTAMP_WINDOW_S) {
    throw new ApiError('timestamp_out_of_window');
  }
  const app = await apps.get(app_id);
  if (!app || !app.active) throw new ApiError('app_unknown', `unknown or disabled app ${app_id}`);

  const expected = hmacBase64(
    app.secret,
    requestCanonical(request.method, request.url, timestamp, nonce, request.rawBody),
  );
  if (!signaturesEqual(expected, signature)) throw new ApiError('signature_invalid');

  // Only a correctly signed request may spend a nonce; the cache is shared by every node.
  const fresh = await ctx.cache.setIfAbsent(`nonce:${app_id}:${nonce}`, timestamp, NONCE_TTL_S * 1000);
  if (!fresh) throw new ApiError('nonce_replayed');

  return { appId: app.id, merchantId: app.merchantId, secret: app.secret };
}

/** Signs a response body for the merchant: Juhe-Timestamp, Juhe-Nonce, Juhe-Signature. */
export function responseSignatureHeaders(
  secret: string,
  body: string,
  nowSeconds: number,
): Record<string, string> {
  const timestamp = String(nowSeconds);
  const nonce = randomToken(16);
  return {
    'juhe-timestamp': timestamp,
    'juhe-nonce': nonce,
    'juhe-signature': hmacBase64(secret, messageCanonical(timestamp, nonce, body)),
  };
}

/** Registers merchant authentication and response signing on a route scope (the /v1 prefix). */
export function registerMerchantAuth(scope: FastifyInstance, ctx: AppContext): void {
  scope.decorateRequest('merchant', null);
  const apps = new AppSecrets(ctx);
  scope.addHook('preValidation', async (request) => {
    request.merchant = await authenticateMerchant(ctx, apps, request);
    rejectInvalidJson(request);
  });
  scope.addHook('onSend', async (request, reply, payload) => {
    if (!request.merchant) return payload;
    const body =
      typeof payload === 'string' ? payload : payload === null || payload === undefined ? '' : null;
    if (body === null) return payload; // streams and buffers are not signed (none on /v1 today)
    reply.headers(responseSignatureHeaders(request.merchant.secret, body, unixSeconds(ctx.clock)));
    return payload;
  });
}
