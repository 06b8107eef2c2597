import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ChannelRegistry } from '../../channels/registry.js';
import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import { ErrorResponse, IdParam, Strict, Text } from '../../http/schemas.js';
import type { Db } from '../../platform/db/index.js';
import { resolveMismatch } from '../resolve.js';
import { reconcileDay, ReconcileRequestError } from '../run.js';
import { mismatchesOf } from '../mismatches.js';
import {
  getReconciliation,
  ReconciliationBusyError,
  type MismatchRow,
  type ReconciliationRow,
} from '../store.js';

/** CONTRACT §7 for the operator: run a day's reconciliation, read it and its mismatches, resolve them. */

const tags = ['admin: reconciliation'];
const security = [{ adminToken: [] }];
const Day = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'trade date YYYY-MM-DD (China time)',
});
const BillChannel = Type.Union([Type.Literal('wechatpay'), Type.Literal('alipay'), Type.Literal('unionpay')]);

export function reconciliationObject(r: ReconciliationRow) {
  const s = r.summary as Partial<
    Record<'matched' | 'mismatched' | 'channel_total' | 'platform_total', number>
  >;
  return {
    object: 'reconciliation',
    id: r.id,
    date: r.trade_date,
    channel: r.channel,
    identity: r.identity,
    status: r.status,
    reason: r.reason,
    summary: {
      matched: s.matched ?? 0,
      mismatched: s.mismatched ?? 0,
      channel_total: s.channel_total ?? 0,
      platform_total: s.platform_total ?? 0,
    },
    runs: r.runs,
    created_at: r.created_at.toISOString(),
    completed_at: r.completed_at?.toISOString() ?? null,
  };
}

export function mismatchObject(m: MismatchRow) {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    object: 'mismatch',
    id: m.id,
    reconciliation_id: m.reconciliation_id,
    type: m.type,
    kind: m.kind,
    channel: m.channel,
    trade_date: m.trade_date,
    channel_trade_no: m.channel_trade_no,
    out_trade_no: m.out_trade_no,
    order_id: m.order_id,
    refund_id: m.refund_id,
    merchant_id: m.merchant_id,
    channel_amount: n(m.channel_amount),
    platform_amount: n(m.platform_amount),
    channel_fee: n(m.channel_fee),
    platform_fee: n(m.platform_fee),
    detail: m.detail,
    status: m.status,
    resolution: m.resolution ?? null,
  };
}

export interface ReconciliationRouteDeps {
  db: Db;
  clock: Clock;
  channels: ChannelRegistry;
  recoverOrder?: (orderId: string) => Promise<void>;
}

export function registerReconciliationAdminRoutes(
  scope: FastifyInstance,
  deps: ReconciliationRouteDeps,
): void {
  const { db } = deps;

  scope.post(
    '/reconciliations',
    {
      schema: {
        tags,
        summary:
          "Reconcile a trade date's bill of a channel (downloaded through the adapter); re-running a day is idempotent",
        security,
        body: Strict({ date: Day, channel: BillChannel }),
        response: { 400: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (request) => {
      const body = request.body as { date: string; channel: 'wechatpay' | 'alipay' | 'unionpay' };
      let results;
      try {
        results = await reconcileDay(deps, body);
      } catch (error) {
        if (error instanceof ReconcileRequestError)
          throw new ApiError('validation_failed', error.message, 'date');
        if (error instanceof ReconciliationBusyError) throw new ApiError('state_conflict', error.message);
        throw error;
      }
      const [first, ...others] = results;
      // one reconciliation per channel identity: the first, the others listed with it
      return { ...reconciliationObject(first!), others: others.map(reconciliationObject) };
    },
  );

  // the two reads of one reconciliation: the same id check and 404, then the reconciliation or its mismatches
  const readRoute = (url: string, summary: string, reply: (rec: ReconciliationRow) => Promise<unknown>) =>
    scope.get(
      url,
      {
        schema: {
          tags,
          summary,
          security,
          params: Strict({ id: IdParam('rec') }),
          response: { 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const rec = await getReconciliation(db, id);
        if (!rec) throw new ApiError('resource_missing', `no reconciliation ${id}`, 'id');
        return reply(rec);
      },
    );
  readRoute('/reconciliations/:id', 'A reconciliation and its summary', async (rec) =>
    reconciliationObject(rec),
  );
  readRoute('/reconciliations/:id/mismatches', "A reconciliation's mismatches", async (rec) => ({
    object: 'list',
    data: (await mismatchesOf(db, rec.id)).map(mismatchObject),
    has_more: false,
  }));

  scope.post(
    '/mismatches/:id/resolve',
    {
      schema: {
        tags,
        summary:
          'Resolve a mismatch: `adjust` books the money difference as an audited ledger adjustment, `accept` moves none',
        security,
        params: Strict({ id: IdParam('mis') }),
        body: Strict({
          action: Type.Union([Type.Literal('adjust'), Type.Literal('accept')]),
          note: Text({ minLength: 3, maxLength: 500 }),
        }),
        response: { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { action: 'adjust' | 'accept'; note: string };
      return mismatchObject(await resolveMismatch(deps, id, body, request.id));
    },
  );
}
