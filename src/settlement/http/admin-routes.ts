import type { FastifyInstance, FastifySchema } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { ApiError } from '../../core/errors.js';
import { parseLimit, toPage } from '../../core/pagination.js';
import { ErrorResponse, IdParam, Identifier, Strict, Text } from '../../http/schemas.js';
import { writeAudit } from '../../merchants/index.js';
import type { PlatformContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/index.js';
import { arrangementProblems } from '../calendar.js';
import { calendarYear, putCalendarYear } from '../calendar-store.js';
import { placeHold, releaseHold, releaseSettlement } from '../holds.js';
import { noMismatches, type UnresolvedMismatches } from '../run.js';
import { listSettlements, openHold, runOf, settlementById, settlementsOfDay } from '../store.js';
import { partyStatements, SETTLEMENT_CSV_HEADER, settlementCsvLine, statementCsv } from '../statements.js';
import { holdObject, settlementObject } from '../views.js';
import { day } from './dates.js';
import { registerPayoutRoutes } from './payout-routes.js';

/** Settlement for the operator (CONTRACT §7; docs/clearing.md, docs/admin-api.md). */

const tags = ['admin: settlement'];
const security = [{ adminToken: [] }];
const errors = { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse };
export const Day = Identifier({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (China date)' });
const Limit = Type.Optional(Identifier({ pattern: '^[0-9]{1,4}$', description: '1–100 (default 20)' }));

export interface SettlementRouteOptions {
  /** the day's open reconciliation mismatches, shown next to its settlements */
  unresolvedMismatches?: UnresolvedMismatches;
}

export function registerSettlementAdminRoutes(
  scope: FastifyInstance,
  ctx: PlatformContext,
  options: SettlementRouteOptions = {},
): void {
  const { db, clock } = ctx;
  const mismatchesOf = options.unresolvedMismatches ?? noMismatches;

  scope.get(
    '/calendar/:year',
    {
      schema: {
        tags,
        summary: "A year's working-day calendar: public holidays and make-up working days (调休)",
        security,
        params: Strict({ year: Identifier({ pattern: '^[0-9]{4}$' }) }),
        response: errors,
      },
    },
    async (request) => {
      const year = Number((request.params as { year: string }).year);
      const stored = await calendarYear(db, year);
      if (!stored) throw new ApiError('resource_missing', `no calendar for ${year}: set it with PUT`, 'year');
      return calendarObject(stored);
    },
  );

  scope.put(
    '/calendar/:year',
    {
      schema: {
        tags,
        summary: "Replace a year's calendar (China's holidays and make-up working days); audited",
        security,
        params: Strict({ year: Identifier({ pattern: '^[0-9]{4}$' }) }),
        body: Strict({
          holidays: Type.Array(Identifier({ maxLength: 20 }), { maxItems: 366 }),
          workdays: Type.Array(Identifier({ maxLength: 20 }), { maxItems: 366 }),
        }),
        response: errors,
      },
    },
    async (request) => {
      const year = Number((request.params as { year: string }).year);
      const body = request.body as { holidays: string[]; workdays: string[] };
      if (year < 2000 || year > 2100)
        throw new ApiError('parameter_invalid', 'year must be 2000…2100', 'year');
      const problems = arrangementProblems(year, body);
      if (problems.length > 0)
        throw new ApiError('validation_failed', problems.slice(0, 5).join('; '), problems[0]!.split(':')[0]);
      await inTransaction(db, async (tx) => {
        const before = await calendarYear(tx, year);
        await putCalendarYear(tx, { year, ...body }, clock);
        await writeAudit(
          tx,
          {
            actor: 'admin',
            requestId: request.id,
            action: 'calendar.update',
            objectType: 'calendar_year',
            objectId: String(year),
            before: before
              ? { holidays: before.holidays, workdays: before.workdays, source: before.source }
              : null,
            after: body,
          },
          clock,
        );
      });
      return calendarObject((await calendarYear(db, year))!);
    },
  );

  scope.get(
    '/settlements',
    {
      schema: {
        tags,
        summary: 'Settlements, newest first; with date, the run of that trade date and its open mismatches',
        security,
        querystring: Strict({
          date: Type.Optional(Day),
          settlement_date: Type.Optional(Day),
          merchant_id: Type.Optional(IdParam('mch')),
          status: Type.Optional(
            Type.Union(['pending', 'paying', 'paid', 'failed', 'held'].map((s) => Type.Literal(s))),
          ),
          limit: Limit,
          starting_after: Type.Optional(IdParam('stl')),
        }),
        response: errors,
      },
    },
    async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const limit = parseLimit(q.limit);
      const tradeDate = q.date === undefined ? undefined : day(q.date, 'date');
      const rows = await listSettlements(db, {
        tradeDate,
        settlementDate:
          q.settlement_date === undefined ? undefined : day(q.settlement_date, 'settlement_date'),
        merchantId: q.merchant_id,
        status: q.status,
        limit,
        startingAfter: q.starting_after,
      });
      const page = toPage(rows, limit, settlementObject);
      if (!tradeDate) return page;
      const run = await runOf(db, tradeDate);
      return {
        ...page,
        run: run
          ? {
              trade_date: run.trade_date,
              settlement_date: run.settlement_date,
              status: run.status,
              merchants: run.merchants,
              orders: Number(run.orders),
              refunds: Number(run.refunds),
              net: Number(run.net),
            }
          : null,
        unresolved_mismatches: await mismatchesOf(db, tradeDate),
      };
    },
  );

  scope.get(
    '/settlements.csv',
    {
      schema: {
        tags,
        summary: 'Settlement report of a trade date: one line per merchant (amounts in yuan)',
        security,
        querystring: Strict({ date: Day }),
        produces: ['text/csv'],
        response: errors,
      },
    },
    async (request, reply) => {
      const date = day((request.query as { date: string }).date, 'date');
      const lines = [SETTLEMENT_CSV_HEADER.join(',')];
      for await (const s of settlementsOfDay(db, date)) lines.push(settlementCsvLine(s));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="settlements-${date}.csv"`)
        .send(`${lines.join('\r\n')}\r\n`);
    },
  );

  scope.get(
    '/settlements/:id',
    {
      schema: {
        tags,
        summary: 'One settlement',
        security,
        params: Strict({ id: IdParam('stl') }),
        response: errors,
      },
    },
    async (request) => {
      const row = await settlementById(db, (request.params as { id: string }).id);
      if (!row) throw new ApiError('resource_missing', 'no such settlement', 'id');
      return settlementObject(row);
    },
  );

  actionRoute(scope, 'post', '/settlements/:id/release', {
    summary: 'Close the risk review of a held settlement: paid at the next payout run (audited)',
    params: Strict({ id: IdParam('stl') }),
    text: { in: 'body', name: 'note', schema: Text({ minLength: 3, maxLength: 500 }) },
    act: async (id, note, by) => settlementObject(await releaseSettlement(db, clock, id, note!, by)),
  });

  const HoldParams = Strict({ id: IdParam('mch') });
  actionRoute(scope, 'post', '/merchants/:id/hold', {
    summary: "Hold a merchant's payouts: its settlements are held, not paid, until released (audited)",
    params: HoldParams,
    text: { in: 'body', name: 'reason', schema: Text({ minLength: 3, maxLength: 500 }) },
    created: true,
    act: async (id, reason, by) => holdObject(await placeHold(db, clock, id, reason!, by)),
  });

  scope.get(
    '/merchants/:id/hold',
    { schema: { tags, summary: "The merchant's open hold", security, params: HoldParams, response: errors } },
    async (request) => {
      const hold = await openHold(db, (request.params as { id: string }).id);
      if (!hold) throw new ApiError('resource_missing', 'the merchant has no open hold', 'id');
      return holdObject(hold);
    },
  );

  actionRoute(scope, 'delete', '/merchants/:id/hold', {
    summary: 'Release the hold: the held settlements are paid at the next payout run (audited)',
    params: HoldParams,
    text: { in: 'querystring', name: 'note', schema: Type.Optional(Text({ maxLength: 500 })) },
    act: async (id, note, by) => holdObject(await releaseHold(db, clock, id, note ?? null, by)),
  });

  registerPayoutRoutes(scope, ctx);

  scope.get(
    '/statements',
    {
      schema: {
        tags,
        summary: "Party share statements: each party's share of the margin on a period's trades",
        security,
        querystring: Strict({ from: Day, to: Day }),
        response: errors,
      },
    },
    async (request) => {
      const { from, to } = period(request.query as { from: string; to: string });
      return {
        object: 'list' as const,
        from,
        to,
        drawn_at: clock.now().toISOString(),
        data: (await partyStatements(db, from, to)).map((l) => ({
          object: 'party_statement' as const,
          ...l,
        })),
        has_more: false,
      };
    },
  );

  scope.get(
    '/statements.csv',
    {
      schema: {
        tags,
        summary: 'The party share statements as CSV (amounts in yuan)',
        security,
        querystring: Strict({ from: Day, to: Day }),
        produces: ['text/csv'],
        response: errors,
      },
    },
    async (request, reply) => {
      const { from, to } = period(request.query as { from: string; to: string });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="statements-${from}-${to}.csv"`)
        .send(statementCsv(await partyStatements(db, from, to), from, to));
    },
  );
}

/**
 * An audited operator action on the object the path's `:id` names, with one text (a reason or a
 * note) from the body or the query string; answers the object after it (201 when `created`).
 */
function actionRoute(
  scope: FastifyInstance,
  method: 'post' | 'delete',
  url: string,
  a: {
    summary: string;
    params: TSchema;
    text: { in: 'body' | 'querystring'; name: string; schema: TSchema };
    created?: boolean;
    act: (id: string, text: string | undefined, by: { actor: string; requestId: string }) => Promise<object>;
  },
): void {
  const schema: FastifySchema = {
    tags,
    summary: a.summary,
    security,
    params: a.params,
    [a.text.in]: Strict({ [a.text.name]: a.text.schema }),
    response: a.created ? { 201: Type.Object({}, { additionalProperties: true }), ...errors } : errors,
  };
  scope.route({
    method,
    url,
    schema,
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const input = (a.text.in === 'body' ? request.body : request.query) as Record<
        string,
        string | undefined
      >;
      const done = await a.act(id, input[a.text.name], { actor: 'admin', requestId: request.id });
      return a.created ? reply.code(201).send(done) : done;
    },
  });
}

function period(q: { from: string; to: string }) {
  const from = day(q.from, 'from');
  const to = day(q.to, 'to');
  if (to < from) throw new ApiError('parameter_invalid', 'to is before from', 'to');
  return { from, to };
}

function calendarObject(y: {
  year: number;
  holidays: readonly string[];
  workdays: readonly string[];
  source: string;
  updatedAt: Date | null;
}) {
  return {
    object: 'calendar_year' as const,
    year: y.year,
    holidays: [...y.holidays],
    workdays: [...y.workdays],
    source: y.source,
    updated_at: y.updatedAt ? y.updatedAt.toISOString() : null,
  };
}
