import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../platform/db/index.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { parseLimit } from '../../core/pagination.js';
import { merchantAccounts } from '../accounts.js';
import { balanceTransactions, creditBalances } from '../store.js';
import { balanceObject, balanceTransactionObject } from '../views.js';

const security = [{ merchantSignature: [] }];
const tags = ['balance'];

/** CONTRACT §6 for the merchant: its balance and the entries that made it. */
export function registerBalanceRoutes(scope: FastifyInstance, ctx: { db: Db }): void {
  scope.get(
    '/balance',
    { schema: { tags, summary: 'The merchant balance: pending, available, paid out (fen)', security } },
    async (request) => {
      const m = merchantAccounts(request.merchant!.merchantId);
      const b = await creditBalances(ctx.db, [m.pending, m.available, m.paidOut]);
      return balanceObject({
        pending: b.get(m.pending) ?? 0,
        available: b.get(m.available) ?? 0,
        paid_out: b.get(m.paidOut) ?? 0,
      });
    },
  );

  scope.get(
    '/balance/transactions',
    {
      schema: {
        tags,
        summary: 'Movements of the balance, newest first (amounts signed: a refund is negative)',
        security,
        querystring: Strict({
          limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1–100 (default 20)' })),
          starting_after: Type.Optional(IdParam('btx')),
        }),
      },
    },
    async (request) => {
      const query = request.query as { limit?: string; starting_after?: string };
      const limit = parseLimit(query.limit);
      const rows = await balanceTransactions(
        ctx.db,
        request.merchant!.merchantId,
        limit,
        query.starting_after,
      );
      return {
        object: 'list' as const,
        data: rows.slice(0, limit).map(balanceTransactionObject),
        has_more: rows.length > limit,
      };
    },
  );
}
