import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { getOrderByMchOrderNo, getOrderForApp } from '../../payments/order-queries.js';
import { toOrderObject } from '../../payments/order-view.js';
import type { AppContext } from '../context.js';
import { ErrorResponse, IdParam, Strict } from '../schemas.js';

const security = [{ merchantSignature: [] }];

export function registerOrderReadRoutes(scope: FastifyInstance, ctx: AppContext): void {
  scope.get(
    '/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'Retrieve an order',
        security,
        params: Strict({ id: IdParam('ord') }),
        response: { 404: ErrorResponse },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return toOrderObject(await getOrderForApp(ctx.db, request.merchant!.appId, id), ctx.publicUrl);
    },
  );

  scope.get(
    '/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Find an order by the merchant’s order number',
        security,
        querystring: Strict({
          mch_order_no: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
        }),
        response: { 404: ErrorResponse },
      },
    },
    async (request) => {
      const { mch_order_no } = request.query as { mch_order_no: string };
      return toOrderObject(
        await getOrderByMchOrderNo(ctx.db, request.merchant!.appId, mch_order_no),
        ctx.publicUrl,
      );
    },
  );
}
