import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from '../context.js';
import { jsonBody } from '../json-body.js';
import { ONBOARDING_CHANNELS, onboardingStoreFor, type OnboardingChannel } from './store.js';
import { registerUnionpayRegisterRoutes } from './unionpay-register.js';

/**
 * The sandbox user's side of the channels' onboarding desks: list what was filed, and
 * `POST /sandbox/onboarding/reject { channel, application_id, reason }` to turn an application
 * down (otherwise a valid one is approved after SANDBOX_ONBOARDING_DELAY).
 */

function bad(reply: FastifyReply, status: number, code: string, message: string, param?: string) {
  return reply
    .code(status)
    .send({ error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } });
}

const KNOWN = new Set(['channel', 'application_id', 'reason']);

export function registerOnboardingSandbox(app: FastifyInstance, ctx: SandboxContext): void {
  const store = onboardingStoreFor(ctx);
  registerUnionpayRegisterRoutes(app, ctx);

  app.get('/sandbox/onboarding', async () => ({
    object: 'list',
    data: store.list().map((a) => ({
      object: 'sandbox_onboarding_application',
      channel: a.channel,
      application_id: a.id,
      external_id: a.externalId,
      merchant_name: a.merchantName,
      state: a.state,
      sub_merchant_id: a.subMerchantId ?? null,
      reason: a.rejectedReason ?? null,
    })),
  }));

  app.post('/sandbox/onboarding/reject', async (request, reply) => {
    const body = jsonBody(request.body);
    if (!body) return bad(reply, 400, 'parameter_invalid', 'send a JSON object', 'body');
    const unknown = Object.keys(body).find((k) => !KNOWN.has(k));
    if (unknown) return bad(reply, 400, 'parameter_unknown', `unknown field ${unknown}`, unknown);
    const { channel, application_id: id, reason } = body;
    if (!ONBOARDING_CHANNELS.includes(channel as OnboardingChannel))
      return bad(
        reply,
        400,
        'parameter_invalid',
        `channel must be one of ${ONBOARDING_CHANNELS.join(', ')}`,
        'channel',
      );
    if (typeof id !== 'string' || !/^[0-9A-Za-z_-]{1,64}$/.test(id))
      return bad(
        reply,
        400,
        'parameter_invalid',
        "application_id must be the channel's application id",
        'application_id',
      );
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 256)
      return bad(reply, 400, 'parameter_invalid', 'reason must be 1…256 characters', 'reason');
    const outcome = store.reject(channel as OnboardingChannel, id, reason.trim());
    if (outcome === 'missing')
      return bad(reply, 404, 'resource_missing', `no ${String(channel)} application ${id}`, 'application_id');
    if (outcome === 'already_approved')
      return bad(
        reply,
        409,
        'state_conflict',
        `${String(channel)} application ${id} is already approved`,
        'application_id',
      );
    return {
      object: 'sandbox_onboarding_application',
      channel,
      application_id: id,
      state: 'rejected',
      reason: reason.trim(),
    };
  });
}
