import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { writeAudit } from '../../merchants/index.js';
import { ErrorResponse, Strict } from '../../http/schemas.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { parseAccount } from '../accounts.js';
import { adjustment } from '../rules.js';
import { accountTotals, entriesBySource, incomeBetween, postEntry } from '../store.js';
import { revenueObject, trialBalance } from '../views.js';

/** CONTRACT §6 for the operator: trial balance, entries by source, revenue, adjustments. */

const tags = ['admin: ledger'];
const security = [{ adminToken: [] }];
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (China time)' });
const Account = Type.String({
  minLength: 3,
  maxLength: 100,
  description: 'kind:owner, e.g. merchant_pending:mch_…',
});

/** Business days are China days: [from 00:00, to + 1 day 00:00) at +08:00. */
function dayStart(day: string, param: string): Date {
  const at = new Date(`${day}T00:00:00+08:00`);
  // a day that does not exist (2026-02-31) is refused, not rolled over
  const back = Number.isNaN(at.getTime())
    ? ''
    : new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  if (back !== day) throw new ApiError('parameter_invalid', `${param} is not a date (YYYY-MM-DD)`, param);
  return at;
}

function merchantSide(
  debit: string,
  credit: string,
  amount: number,
): { merchantId: string | null; net: number } {
  const d = parseAccount(debit);
  const c = parseAccount(credit);
  const isMerchant = (a: ReturnType<typeof parseAccount>) => a !== null && a.kind.startsWith('merchant_');
  if (isMerchant(c) && isMerchant(d)) return { merchantId: c!.owner, net: 0 };
  if (isMerchant(c)) return { merchantId: c!.owner, net: amount };
  if (isMerchant(d)) return { merchantId: d!.owner, net: -amount };
  return { merchantId: null, net: 0 };
}

export function registerLedgerAdminRoutes(scope: FastifyInstance, ctx: { db: Db; clock: Clock }): void {
  const { db, clock } = ctx;

  scope.get(
    '/ledger/trial-balance',
    {
      schema: {
        tags,
        summary: "Every account's net balance; total debit always equals total credit",
        security,
      },
    },
    async () => trialBalance(await accountTotals(db)),
  );

  scope.get(
    '/ledger/entries',
    {
      schema: {
        tags,
        summary: 'The journal entries of one business object, with their postings',
        security,
        querystring: Strict({
          source: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-z]+_[0-9a-z]+$' }),
        }),
        response: { 400: ErrorResponse },
      },
    },
    async (request) => {
      const { source } = request.query as { source: string };
      const entries = await entriesBySource(db, source);
      return {
        object: 'list' as const,
        data: entries.map(({ entry, postings }) => ({
          object: 'journal_entry' as const,
          id: entry.id,
          type: entry.type,
          source: entry.source,
          merchant_id: entry.merchant_id,
          event_key: entry.event_key,
          memo: entry.memo,
          created_at: entry.created_at.toISOString(),
          postings: postings.map((p) => ({
            account: p.account,
            debit: p.amount > 0 ? p.amount : 0,
            credit: p.amount < 0 ? -p.amount : 0,
          })),
        })),
        has_more: false,
      };
    },
  );

  scope.get(
    '/revenue',
    {
      schema: {
        tags,
        summary: "Each party's share of the margin over a period of China days (inclusive)",
        security,
        querystring: Strict({ from: Day, to: Day }),
        response: { 400: ErrorResponse },
      },
    },
    async (request) => {
      const q = request.query as { from: string; to: string };
      const from = dayStart(q.from, 'from');
      const to = new Date(dayStart(q.to, 'to').getTime() + 86_400_000);
      if (to <= from) throw new ApiError('parameter_invalid', 'to is before from', 'to');
      return revenueObject(await incomeBetween(db, from, to));
    },
  );

  scope.post(
    '/ledger/adjustments',
    {
      schema: {
        tags,
        summary: 'A manual adjustment: one debit, one credit, with a reason (audited)',
        security,
        body: Strict({
          debit_account: Account,
          credit_account: Account,
          amount: Type.Integer({ minimum: 1, maximum: 100_000_000_000, description: 'fen' }),
          reason: Type.String({ minLength: 3, maxLength: 500 }),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body as {
        debit_account: string;
        credit_account: string;
        amount: number;
        reason: string;
      };
      for (const [param, code] of [
        ['debit_account', body.debit_account],
        ['credit_account', body.credit_account],
      ] as const)
        if (!parseAccount(code))
          throw new ApiError('parameter_invalid', `${param} is not a ledger account`, param);
      if (body.debit_account === body.credit_account)
        throw new ApiError('validation_failed', 'debit and credit are the same account', 'credit_account');
      const side = merchantSide(body.debit_account, body.credit_account, body.amount);
      const adjustmentId = newId('adjustment', clock.nowMs());
      const entry = await inTransaction(db, async (tx) => {
        const posted = await postEntry(
          tx,
          adjustment({
            adjustmentId,
            debit: body.debit_account,
            credit: body.credit_account,
            amount: body.amount,
            reason: body.reason,
            actor: 'admin',
            merchantId: side.merchantId,
            merchantNet: side.net,
          }),
          clock.now(),
        );
        await writeAudit(
          tx,
          {
            actor: 'admin',
            requestId: request.id,
            action: 'ledger.adjust',
            objectType: 'adjustment',
            objectId: adjustmentId,
            merchantId: side.merchantId,
            after: { ...body, entry_id: posted.entryId },
          },
          clock,
        );
        return posted;
      });
      return reply.code(201).send({
        object: 'adjustment',
        id: adjustmentId,
        entry_id: entry.entryId,
        ...body,
      });
    },
  );
}
