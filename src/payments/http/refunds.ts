import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { toRefundObject } from '../refund-view.js';
import { getRefundForApp, requestRefund, type RefundRequest } from '../refund-requests.js';
import { IdParam, Strict } from '../../http/schemas.js';
import type { PaymentRouteDeps } from './deps.js';

const security = [{ merchantSignature: [] }];

const CreateRefundBody = Strict({
  order_id: Type.Optional(IdParam('ord')),
  mch_order_no: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  mch_refund_no: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'unique per order',
  }),
  amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'integer fen' }),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  notify_url: Type.Optional(Type.String({ maxLength: 1024, pattern: '^https?://[^\\s]+$' })),
});

export function registerRefundRoutes(scope: FastifyInstance, ctx: PaymentRouteDeps): void {
  const deps = {
    clock: ctx.clock,
    publicUrl: ctx.publicUrl,
    channels: ctx.channels,
    risk: ctx.risk?.refund,
  };

  scope.post(
    '/refunds',
    {
      schema: {
        tags: ['refunds'],
        summary:
          'Refund a paid order, partly or fully (201); the same mch_refund_no and parameters returns it (200)',
        security,
        body: CreateRefundBody,
      },
    },
    async (request, reply) => {
      const { refund, created } = await requestRefund(
        ctx.db,
        deps,
        request.merchant!.appId,
        request.body as RefundRequest,
        (err, id) => request.log.warn({ err, refund: id }, 'refund sync deferred'),
      );
      return reply.code(created ? 201 : 200).send(toRefundObject(refund));
    },
  );

  scope.get(
    '/refunds/:id',
    {
      schema: {
        tags: ['refunds'],
        summary: 'Retrieve a refund',
        security,
        params: Strict({ id: IdParam('rfd') }),
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return toRefundObject(await getRefundForApp(ctx.db, request.merchant!.appId, id));
    },
  );
}
