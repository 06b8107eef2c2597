import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { closeOrder } from '../close-order.js';
import type { NewOrder } from '../create-order.js';
import { getOrderByMchOrderNo, getOrderForApp } from '../order-queries.js';
import { toOrderObject } from '../order-view.js';
import { ErrorResponse, IdParam, Strict } from '../../http/schemas.js';
import { CreateOrderBody, MicropayBody } from './order-schemas.js';
import { micropay } from '../micropay.js';
import { placeOrder } from '../place-order.js';
import type { PaymentRouteDeps } from './deps.js';

const security = [{ merchantSignature: [] }];

export function registerOrderReadRoutes(scope: FastifyInstance, ctx: PaymentRouteDeps): void {
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

export function registerOrderWriteRoutes(scope: FastifyInstance, ctx: PaymentRouteDeps): void {
  scope.post(
    '/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Create an order (201); repeating the same mch_order_no and parameters returns it (200)',
        security,
        body: CreateOrderBody,
      },
    },
    async (request, reply) => {
      const merchant = request.merchant!;
      const created = await placeOrder(
        ctx.db,
        { clock: ctx.clock, publicUrl: ctx.publicUrl, channels: ctx.channels, risk: ctx.risk?.payment },
        { appId: merchant.appId, merchantId: merchant.merchantId },
        request.body as NewOrder,
      );
      return reply.code(created.created ? 201 : 200).send(toOrderObject(created.order, ctx.publicUrl));
    },
  );

  scope.post(
    '/orders/micropay',
    {
      schema: {
        tags: ['orders'],
        summary:
          "Passive scan: charge the customer's payment code; answers within 30 s with succeeded, failed or paying",
        security,
        body: MicropayBody,
      },
    },
    async (request, reply) => {
      const merchant = request.merchant!;
      const { order, created } = await micropay(
        ctx.db,
        {
          clock: ctx.clock,
          publicUrl: ctx.publicUrl,
          channels: ctx.channels,
          sleep: ctx.sleep,
          risk: ctx.risk?.payment,
        },
        { appId: merchant.appId, merchantId: merchant.merchantId },
        request.body as NewOrder & { auth_code: string },
      );
      return reply.code(created ? 201 : 200).send(toOrderObject(order, ctx.publicUrl));
    },
  );

  scope.post(
    '/orders/:id/close',
    {
      schema: {
        tags: ['orders'],
        summary: 'Close an unpaid order (at the channel first); a paid order answers 409',
        security,
        params: Strict({ id: IdParam('ord') }),
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const order = await getOrderForApp(ctx.db, request.merchant!.appId, id);
      const closed = await closeOrder(
        ctx.db,
        order,
        { clock: ctx.clock, publicUrl: ctx.publicUrl, channels: ctx.channels },
        'merchant',
      );
      return toOrderObject(closed, ctx.publicUrl);
    },
  );
}
