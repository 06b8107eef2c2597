import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { parseLimit, toPage } from '../../core/pagination.js';
import { ErrorResponse, IdParam, Identifier, Strict } from '../../http/schemas.js';
import type { Db } from '../../platform/db/index.js';
import { day } from './dates.js';
import { listSettlements } from '../store.js';
import { settlementObject } from '../views.js';

const security = [{ merchantSignature: [] }];
const tags = ['settlements'];

/** CONTRACT §7 for the merchant: its settlements, newest first. */
export function registerSettlementMerchantRoutes(scope: FastifyInstance, ctx: { db: Db }): void {
  scope.get(
    '/settlements',
    {
      schema: {
        tags,
        summary: 'Your settlements: per trade date gross, refunds, fees, net (fen) and status',
        security,
        querystring: Strict({
          date: Type.Optional(
            Identifier({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'trade date YYYY-MM-DD' }),
          ),
          limit: Type.Optional(Identifier({ pattern: '^[0-9]{1,4}$', description: '1–100 (default 20)' })),
          starting_after: Type.Optional(IdParam('stl')),
        }),
        response: { 400: ErrorResponse },
      },
    },
    async (request) => {
      const q = request.query as { date?: string; limit?: string; starting_after?: string };
      const limit = parseLimit(q.limit);
      if (q.date !== undefined) day(q.date, 'date');
      const rows = await listSettlements(ctx.db, {
        merchantId: request.merchant!.merchantId,
        tradeDate: q.date,
        limit,
        startingAfter: q.starting_after,
      });
      // why a settlement is held (a risk review) stays with the operator
      return toPage(rows, limit, (row) => {
        const { hold_reason: _hidden, ...view } = settlementObject(row);
        return view;
      });
    },
  );
}
