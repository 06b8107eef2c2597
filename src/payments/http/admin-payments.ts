import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import { bookLatePaymentResolution } from '../../ledger/index.js';
import type { AppContext } from '../../http/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { inTransaction } from '../../platform/db/index.js';
import { audit, security } from '../../merchants/http/admin-common.js';

/**
 * Payment exceptions for operators: late payments (a success after the order was closed) and
 * amount mismatches. Nothing is dropped; an operator refunds or recovers and marks it resolved.
 */

function exceptionObject(row: {
  id: string;
  order_id: string;
  kind: string;
  channel: string | null;
  channel_trade_no: string | null;
  amount: number | null;
  details: unknown;
  status: string;
  resolution: string | null;
  created_at: Date;
  resolved_at: Date | null;
}) {
  return {
    object: 'payment_exception' as const,
    id: row.id,
    order_id: row.order_id,
    kind: row.kind,
    channel: row.channel,
    channel_trade_no: row.channel_trade_no,
    amount: row.amount,
    details: row.details,
    status: row.status,
    resolution: row.resolution,
    created_at: row.created_at.toISOString(),
    resolved_at: row.resolved_at ? row.resolved_at.toISOString() : null,
  };
}

export function registerAdminPaymentRoutes(scope: FastifyInstance, ctx: AppContext): void {
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
      const limit = Number(q.limit ?? 50);
      let query = ctx.db
        .selectFrom('payment_exceptions')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.starting_after) query = query.where('id', '<', q.starting_after);
      const rows = await query.execute();
      return {
        object: 'list',
        data: rows.slice(0, limit).map(exceptionObject),
        has_more: rows.length > limit,
      };
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
      const { resolution, outcome } = request.body as {
        resolution: string;
        outcome?: 'recovered' | 'refunded';
      };
      const row = await inTransaction(ctx.db, async (tx) => {
        const resolved = await tx
          .updateTable('payment_exceptions')
          .set({ status: 'resolved', resolution, resolved_at: ctx.clock.now() })
          .where('id', '=', id)
          .where('status', '=', 'open')
          .returningAll()
          .executeTakeFirst();
        if (resolved && outcome && resolved.kind === 'late_payment' && resolved.amount && resolved.channel) {
          const order = await tx
            .selectFrom('orders')
            .select('merchant_id')
            .where('id', '=', resolved.order_id)
            .executeTakeFirstOrThrow();
          const late = {
            orderId: resolved.order_id,
            merchantId: order.merchant_id,
            channel: resolved.channel,
            amount: resolved.amount,
          };
          await bookLatePaymentResolution(tx, late, outcome, ctx.clock.now());
        }
        if (resolved) {
          // like every admin change, who resolved it and how goes into the audit log
          await audit(tx, request, ctx.clock, {
            action: 'payment_exception.resolve',
            objectType: 'payment_exception',
            objectId: id,
            after: exceptionObject(resolved),
          });
        }
        return resolved;
      });
      if (row) return exceptionObject(row);
      const exists = await ctx.db
        .selectFrom('payment_exceptions')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!exists) throw new ApiError('resource_missing', `no payment exception ${id}`, 'id');
      throw new ApiError('state_conflict', 'this exception is already resolved', 'id');
    },
  );
}
