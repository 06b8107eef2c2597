import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import { getOrderByMchOrderNo, getOrderForApp } from '../../payments/order-queries.js';
import { toRefundObject } from '../../payments/refund-view.js';
import { createRefund, syncRefund, type NewRefund } from '../../payments/refunds.js';
import { checkRefundRisk } from '../../payments/risk-facts.js';
import type { AppContext } from '../context.js';
import { IdParam, Strict } from '../schemas.js';

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

export function registerRefundRoutes(scope: FastifyInstance, ctx: AppContext): void {
  const deps = { clock: ctx.clock, publicUrl: ctx.publicUrl, channels: ctx.channels };

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
      const body = request.body as NewRefund & { order_id?: string; mch_order_no?: string };
      const appId = request.merchant!.appId;
      if (!body.order_id === !body.mch_order_no)
        throw new ApiError('parameter_missing', 'send exactly one of order_id and mch_order_no', 'order_id');
      const order = body.order_id
        ? await getOrderForApp(ctx.db, appId, body.order_id)
        : await getOrderByMchOrderNo(ctx.db, appId, body.mch_order_no!);
      const risk = await checkRefundRisk(ctx.db, ctx.risk?.refund, order, body);
      const { refund, created } = await createRefund(ctx.db, order, body, deps, risk);
      if (created) {
        // Ask the channel now so the answer is usually final; the job retries anything left.
        await syncRefund(ctx.db, refund.id, deps, true).catch((err: unknown) =>
          request.log.warn({ err, refund: refund.id }, 'refund sync deferred'),
        );
      }
      const current = await ctx.db
        .selectFrom('refunds')
        .selectAll()
        .where('id', '=', refund.id)
        .executeTakeFirstOrThrow();
      return reply.code(created ? 201 : 200).send(toRefundObject(current));
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
      const refund = await ctx.db
        .selectFrom('refunds')
        .selectAll()
        .where('id', '=', id)
        .where('app_id', '=', request.merchant!.appId)
        .executeTakeFirst();
      if (!refund) throw new ApiError('resource_missing', `no refund ${id}`, 'id');
      return toRefundObject(refund);
    },
  );
}
