import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import { parseLimit, toPage } from '../../core/pagination.js';
import { ErrorResponse, IdParam, Identifier, Strict, Text } from '../../http/schemas.js';
import type { PlatformContext } from '../../platform/context.js';
import { day } from './dates.js';
import { payoutCsv } from '../payout-file.js';
import { movePayout, payoutAccountNo, type PayoutAction } from '../payouts.js';
import { listPayouts, payoutById, payoutsOfDate } from '../store.js';
import { payoutObject } from '../views.js';

/** Payouts for the operator: the bank transfer file and the payout states (docs/clearing.md). */

const tags = ['admin: settlement'];
const security = [{ adminToken: [] }];
const errors = { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const Day = Identifier({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (China date)' });
const Status = Type.Union(['paying', 'paid', 'failed', 'returned'].map((s) => Type.Literal(s)));

export function registerPayoutRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db, clock, box } = ctx;

  scope.get(
    '/payouts',
    {
      schema: {
        tags,
        summary: 'Payouts, newest first',
        security,
        querystring: Strict({
          settlement_date: Type.Optional(Day),
          status: Type.Optional(Status),
          limit: Type.Optional(Identifier({ pattern: '^[0-9]{1,4}$', description: '1–100 (default 20)' })),
          starting_after: Type.Optional(IdParam('po')),
        }),
        response: errors,
      },
    },
    async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const limit = parseLimit(q.limit);
      if (q.settlement_date !== undefined) day(q.settlement_date, 'settlement_date');
      const rows = await listPayouts(db, {
        settlementDate: q.settlement_date,
        status: q.status,
        limit,
        startingAfter: q.starting_after,
      });
      return toPage(rows, limit, payoutObject);
    },
  );

  scope.get(
    '/payouts/:file',
    {
      schema: {
        tags,
        summary:
          'The bank transfer file of a settlement date (`2026-12-07.csv`): one row per merchant paid — account name, account number, bank, amount in yuan, reference (the payout id)',
        security,
        params: Strict({
          file: Identifier({ pattern: '^\\d{4}-\\d{2}-\\d{2}\\.csv$', description: 'YYYY-MM-DD.csv' }),
        }),
        querystring: Strict({
          status: Type.Optional(
            Type.Union([Type.Literal('paying'), Type.Literal('all')], {
              description:
                'paying (default): what the bank is to transfer now; all: every payout of the date but returned ones',
            }),
          ),
        }),
        produces: ['text/csv'],
        response: errors,
      },
    },
    async (request, reply) => {
      const { file } = request.params as { file: string };
      const date = day(file.slice(0, 10), 'file');
      const { status } = request.query as { status?: 'paying' | 'all' };
      const payouts = await payoutsOfDate(
        db,
        date,
        status === 'all' ? ['paying', 'paid', 'failed'] : ['paying'],
      );
      const csv = payoutCsv(
        payouts.map((p) => ({
          merchantId: p.merchant_id,
          accountName: p.account_name,
          accountNumber: payoutAccountNo(box, p),
          bank: p.bank,
          amount: Number(p.amount),
          reference: p.id,
        })),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="payouts-${date}.csv"`)
        .send(csv);
    },
  );

  const actions: Array<[PayoutAction, string, boolean]> = [
    ['paid', 'The bank confirmed the transfer: paying → paid', false],
    ['failed', 'The bank refused or bounced it: paying → failed (the money stays in transit)', true],
    ['retry', 'Send it again (it is in the next file): failed → paying', false],
    [
      'return',
      'Give up: failed or paid → returned; back to the merchant’s available, paid again at the next payout run',
      true,
    ],
  ];
  for (const [action, summary, needsReason] of actions) {
    scope.post(
      `/payouts/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${summary} (audited)`,
          security,
          params: Strict({ id: IdParam('po') }),
          ...(needsReason ? { body: Strict({ reason: Text({ minLength: 3, maxLength: 500 }) }) } : {}),
          response: errors,
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const body = (request.body ?? {}) as { reason?: string };
        // paid and retry take no body: anything sent is refused, not ignored
        if (!needsReason && (typeof body !== 'object' || Object.keys(body).length > 0))
          throw new ApiError('parameter_unknown', `${action} takes no body`);
        if (!(await payoutById(db, id))) throw new ApiError('resource_missing', 'no such payout', 'id');
        const updated = await movePayout({ db, clock }, id, action, {
          reason: body.reason,
          actor: 'admin',
          requestId: request.id,
        });
        return payoutObject(updated);
      },
    );
  }
}
