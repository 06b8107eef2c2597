import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../../platform/context.js';
import { ErrorResponse, IdParam, Strict } from '../../http/schemas.js';
import { Accepted, EventListQuery, ResendRange } from '../event-schemas.js';
import { parseEventFilter, parseTimeRange, type RawQuery } from '../list-query.js';
import { getEvent, listEvents } from '../queries.js';
import { resendEvent, resendFailed } from '../resend.js';

export { registerWebhookAdminRoutes } from './admin-routes.js';

const security = [{ merchantSignature: [] }];

/** Merchant-side webhook routes under /v1: list and read events with their attempts, resend. */
export function registerEventRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  scope.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'List webhook events with their delivery attempts (newest first)',
        security,
        querystring: Strict(EventListQuery),
        response: { 400: ErrorResponse },
      },
    },
    async (request) =>
      listEvents(ctx.db, { appId: request.merchant!.appId }, parseEventFilter(request.query as RawQuery)),
  );

  scope.get(
    '/events/:id',
    {
      schema: {
        tags: ['events'],
        summary: 'Retrieve a webhook event with its delivery attempts',
        security,
        params: Strict({ id: IdParam('evt') }),
        response: { 404: ErrorResponse },
      },
    },
    async (request) =>
      getEvent(ctx.db, (request.params as { id: string }).id, { appId: request.merchant!.appId }),
  );

  scope.post(
    '/events/:id/resend',
    {
      schema: {
        tags: ['events'],
        summary: 'Resend an event that is not being delivered now (a new round of the retry schedule)',
        security,
        params: Strict({ id: IdParam('evt') }),
        response: { 202: Accepted, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const appScope = { appId: request.merchant!.appId };
      await resendEvent(ctx.db, id, appScope, ctx.clock);
      return reply.code(202).send(await getEvent(ctx.db, id, appScope));
    },
  );

  scope.post(
    '/events/resend',
    {
      schema: {
        tags: ['events'],
        summary: 'Resend every failed event created in a time range (up to 1000 per call)',
        security,
        body: Strict(ResendRange),
        response: { 202: Accepted, 400: ErrorResponse },
      },
    },
    async (request, reply) => {
      const range = parseTimeRange(request.body as { created_from: string; created_to: string });
      return reply
        .code(202)
        .send(await resendFailed(ctx.db, { appId: request.merchant!.appId }, range, ctx.clock));
    },
  );
}
