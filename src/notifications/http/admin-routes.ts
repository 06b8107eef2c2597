import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import type { PlatformContext } from '../../platform/context.js';
import { ErrorResponse, IdParam, Strict } from '../../http/schemas.js';
import { parseEventFilter, parseTimeRange, type RawQuery } from '../list-query.js';
import { getEvent, listEvents, type EventScope } from '../queries.js';
import { resendEvent, resendFailed } from '../resend.js';
import { Accepted, EventListQuery, ResendRange } from '../event-schemas.js';

const security = [{ adminToken: [] }];
const tags = ['admin: events'];
const ScopeFields = {
  merchant_id: Type.Optional(IdParam('mch')),
  app_id: Type.Optional(IdParam('app')),
};

function scopeOf(input: { merchant_id?: string; app_id?: string }): EventScope {
  return {
    ...(input.merchant_id ? { merchantId: input.merchant_id } : {}),
    ...(input.app_id ? { appId: input.app_id } : {}),
  };
}

/** Operator-side webhook routes under /admin/v1: every merchant's events, resend. */
export function registerWebhookAdminRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  scope.get(
    '/events',
    {
      schema: {
        tags,
        summary: 'List webhook events of all merchants with their attempts (newest first)',
        security,
        querystring: Strict({ ...EventListQuery, ...ScopeFields }),
        response: { 400: ErrorResponse },
      },
    },
    async (request) => {
      const query = request.query as RawQuery & { merchant_id?: string; app_id?: string };
      return listEvents(ctx.db, scopeOf(query), parseEventFilter(query));
    },
  );

  scope.get(
    '/events/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve any webhook event with its attempts',
        security,
        params: Strict({ id: IdParam('evt') }),
        response: { 404: ErrorResponse },
      },
    },
    async (request) => getEvent(ctx.db, (request.params as { id: string }).id, {}),
  );

  scope.post(
    '/events/:id/resend',
    {
      schema: {
        tags,
        summary: 'Resend one event (a new round of the retry schedule)',
        security,
        params: Strict({ id: IdParam('evt') }),
        response: { 202: Accepted, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      await resendEvent(ctx.db, id, {}, ctx.clock);
      return reply.code(202).send(await getEvent(ctx.db, id, {}));
    },
  );

  scope.post(
    '/events/resend',
    {
      schema: {
        tags,
        summary: 'Resend the failed events created in a time range, optionally of one merchant or app',
        security,
        body: Strict({ ...ResendRange, ...ScopeFields }),
        response: { 202: Accepted, 400: ErrorResponse },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        created_from: string;
        created_to: string;
        merchant_id?: string;
        app_id?: string;
      };
      const range = parseTimeRange(body);
      if (
        body.merchant_id === undefined &&
        body.app_id === undefined &&
        range.to.getTime() - range.from.getTime() > 31 * 86_400_000
      ) {
        throw new ApiError(
          'parameter_invalid',
          'without merchant_id or app_id the range may span at most 31 days',
          'created_to',
        );
      }
      return reply.code(202).send(await resendFailed(ctx.db, scopeOf(body), range, ctx.clock));
    },
  );
}
