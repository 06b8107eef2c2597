import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { IdParam, Strict } from '../../http/schemas.js';
import { listPaymentExceptions, resolvePaymentException, type Resolution } from '../exceptions.js';
import type { PaymentRouteDeps } from './deps.js';
import { adminActor } from '../../merchants/index.js';

const security = [{ adminToken: [] }];

/** Payment exceptions for operators (see ../exceptions.ts): list them, mark one resolved. */

export function registerAdminPaymentRoutes(scope: FastifyInstance, ctx: PaymentRouteDeps): void {
  const tags = ['admin: payments'];

  scope.get(
    '/payment-exceptions',
    {
      schema: {
        tags,
        security,
        summary: 'List payment exceptions (late payments, amount mismatches), newest first',
        querystring: Strict({
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
          limit: Type.Optional(
            Type.String({ pattern: '^([1-9]|[1-9][0-9]|100)$', description: '1…100, default 50' }),
          ),
          starting_after: Type.Optional(IdParam('exc')),
        }),
      },
    },
    async (request) => {
      const q = request.query as { status?: 'open' | 'resolved'; limit?: string; starting_after?: string };
      return listPaymentExceptions(
        ctx.db,
        { status: q.status },
        { limit: Number(q.limit ?? 50), startingAfter: q.starting_after },
      );
    },
  );

  scope.post(
    '/payment-exceptions/:id/resolve',
    {
      schema: {
        tags,
        security,
        summary: 'Mark an exception resolved, saying how (e.g. refunded, recovered)',
        params: Strict({ id: IdParam('exc') }),
        body: Strict({
          resolution: Type.String({ minLength: 1, maxLength: 500 }),
          outcome: Type.Optional(
            Type.Union([Type.Literal('recovered'), Type.Literal('refunded')], {
              description:
                'a late payment: credited to the merchant, or sent back to the payer (booked in the ledger)',
            }),
          ),
        }),
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return resolvePaymentException(ctx.db, id, request.body as Resolution, ctx.clock, adminActor(request));
    },
  );
}
