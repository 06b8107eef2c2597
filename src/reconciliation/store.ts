import { sql } from 'kysely';
import { newId } from '../core/ids.js';
import type { Db, Queryable, Tx } from '../platform/db/index.js';
import type { MatchOutcome, MatchSummary, PlatformRecord } from './match.js';
import { matchKey } from './match.js';
import type { BillTotals, ChannelRecordStatus } from './bills/types.js';
import type { ReconciliationMismatchesTable, ReconciliationsTable } from './tables.js';
import type { Selectable } from 'kysely';

/** Queries and writes of reconciliation (migration 0014). Takes a Db or the caller's Tx. */

export type ReconciliationRow = Selectable<ReconciliationsTable>;
export type MismatchRow = Selectable<ReconciliationMismatchesTable>;

const CHUNK = 1 << 20;

/** `yyyy-MM-dd` (China, UTC+8) → the instants [start, end) of that day */
export function chinaDay(date: string): { start: Date; end: Date } {
  const start = new Date(`${date}T00:00:00+08:00`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/** a run not finished after this long is taken to have died (a crash, a killed command) */
export const RUN_LEASE_MS = 30 * 60_000;

export class ReconciliationBusyError extends Error {}

/**
 * Starts (or restarts: a re-run of the day updates the same row) the reconciliation of a unit.
 * A unit already running (and not stale) is not started twice: ReconciliationBusyError.
 */
export async function beginReconciliation(
  db: Queryable,
  unit: { date: string; channel: string; identity: string },
  now: Date,
): Promise<ReconciliationRow> {
  const row = await db
    .insertInto('reconciliations')
    .values({
      id: newId('reconciliation', now.getTime()),
      trade_date: unit.date,
      channel: unit.channel,
      identity: unit.identity,
      status: 'running',
      summary: '{}',
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['trade_date', 'channel', 'identity'])
        .doUpdateSet({
          status: 'running',
          reason: null,
          runs: sql`reconciliations.runs + 1`,
          updated_at: now,
          completed_at: null,
        })
        .where((eb) =>
          eb.or([
            eb('reconciliations.status', '!=', 'running'),
            eb('reconciliations.updated_at', '<', new Date(now.getTime() - RUN_LEASE_MS)),
          ]),
        ),
    )
    .returningAll()
    .executeTakeFirst();
  if (!row)
    throw new ReconciliationBusyError(
      `the ${unit.channel} reconciliation of ${unit.date} (${unit.identity}) is running already`,
    );
  return row;
}

/** Stores the raw bill as it arrives, 1 MiB per row: memory holds one chunk, whatever the size. */
export async function storeBillFile(
  db: Db,
  reconciliationId: string,
  file: { format: string; fileName?: string | undefined; sha1?: string | undefined },
  bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  now: Date,
): Promise<string> {
  const id = newId('billFile', now.getTime());
  await db
    .insertInto('reconciliation_bill_files')
    .values({
      id,
      reconciliation_id: reconciliationId,
      format: file.format,
      file_name: file.fileName ?? null,
      sha1: file.sha1 ?? null,
      created_at: now,
    })
    .execute();
  let seq = 0;
  let size = 0;
  let buffer = Buffer.alloc(CHUNK);
  let filled = 0;
  const flush = async () => {
    if (filled === 0) return;
    await db
      .insertInto('reconciliation_bill_chunks')
      .values({ file_id: id, seq: seq++, data: buffer.subarray(0, filled) })
      .execute();
    buffer = Buffer.alloc(CHUNK);
    filled = 0;
  };
  for await (const piece of bytes) {
    let offset = 0;
    while (offset < piece.length) {
      const n = Math.min(CHUNK - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      size += n;
      if (filled === CHUNK) await flush();
    }
  }
  await flush();
  await db.updateTable('reconciliation_bill_files').set({ size }).where('id', '=', id).execute();
  await db
    .updateTable('reconciliations')
    .set({ bill_file_id: id })
    .where('id', '=', reconciliationId)
    .execute();
  return id;
}

/** The stored bill read back one chunk at a time. */
export async function* readBillFile(db: Queryable, fileId: string): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const row = await db
      .selectFrom('reconciliation_bill_chunks')
      .select('data')
      .where('file_id', '=', fileId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!row) return;
    // handed on in 64 KiB pieces, the size a file stream gives the parser
    for (let at = 0; at < row.data.length; at += 1 << 16) yield row.data.subarray(at, at + (1 << 16));
  }
}

/**
 * JuhePay's side of a day for one channel: the orders that succeeded that day (paid_at, the
 * channel's own success time) and the refunds that succeeded that day, with the channel cost the
 * pricing snapshot expects (§6). A refund gives back its share of the order's cost, computed
 * cumulatively like the merchant fee (the refunds of a whole order return its whole cost).
 * `versions` narrows to the orders placed with these channel identities.
 */
export async function platformRecords(
  db: Queryable,
  channel: string,
  date: string,
  versions?: { versionIds: string[]; merchantsWithoutVersion: string[] },
): Promise<PlatformRecord[]> {
  const { start, end } = chinaDay(date);
  let orders = db
    .selectFrom('orders')
    .leftJoin('order_fees', 'order_fees.order_id', 'orders.id')
    .select([
      'orders.id',
      'orders.merchant_id',
      'orders.amount',
      'orders.status',
      'orders.channel_config_version_id',
      'order_fees.channel_cost',
    ])
    .where('orders.channel', '=', channel)
    .where('orders.status', '=', 'succeeded')
    .where('orders.paid_at', '>=', start)
    .where('orders.paid_at', '<', end);
  if (versions) orders = orders.where((eb) => identityFilter(eb, versions, 'orders'));
  const records: PlatformRecord[] = (await orders.execute()).map((o) => ({
    kind: 'trade',
    id: o.id,
    orderId: o.id,
    merchantId: o.merchant_id,
    outTradeNo: o.id,
    amount: Number(o.amount),
    channelFee: Number(o.channel_cost ?? 0),
    status: 'succeeded',
  }));

  let refunds = db
    .selectFrom('refunds')
    .innerJoin('orders', 'orders.id', 'refunds.order_id')
    .leftJoin('order_fees', 'order_fees.order_id', 'orders.id')
    .select([
      'refunds.id',
      'refunds.order_id',
      'refunds.merchant_id',
      'refunds.amount',
      'refunds.succeeded_at',
      'orders.amount as order_amount',
      'order_fees.channel_cost',
    ])
    .where('orders.channel', '=', channel)
    .where('refunds.status', '=', 'succeeded')
    .where('refunds.succeeded_at', '>=', start)
    .where('refunds.succeeded_at', '<', end);
  if (versions) refunds = refunds.where((eb) => identityFilter(eb, versions, 'orders'));
  const dayRefunds = await refunds.execute();
  if (dayRefunds.length === 0) return records;
  // the refunds before each one (any day), to give back the cost cumulatively
  const orderIds = [...new Set(dayRefunds.map((r) => r.order_id))];
  const all = await db
    .selectFrom('refunds')
    .select(['id', 'order_id', 'amount', 'succeeded_at'])
    .where('order_id', 'in', orderIds)
    .where('status', '=', 'succeeded')
    .orderBy('succeeded_at')
    .orderBy('id')
    .execute();
  const before = new Map<string, number>();
  const running = new Map<string, number>();
  for (const r of all) {
    before.set(r.id, running.get(r.order_id) ?? 0);
    running.set(r.order_id, (running.get(r.order_id) ?? 0) + Number(r.amount));
  }
  for (const r of dayRefunds) {
    const cost = Number(r.channel_cost ?? 0);
    const total = Number(r.order_amount);
    const prior = before.get(r.id) ?? 0;
    const amount = Number(r.amount);
    records.push({
      kind: 'refund',
      id: r.id,
      orderId: r.order_id,
      merchantId: r.merchant_id,
      outTradeNo: r.order_id,
      outRefundNo: r.id,
      amount,
      channelFee: scaledHalfUp(cost, prior + amount, total) - scaledHalfUp(cost, prior, total),
      status: 'succeeded',
    });
  }
  return records;
}

function scaledHalfUp(value: number, part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Number((BigInt(value) * BigInt(part) * 2n + BigInt(whole)) / (2n * BigInt(whole)));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function identityFilter(eb: any, v: { versionIds: string[]; merchantsWithoutVersion: string[] }, t: string) {
  const parts = [];
  if (v.versionIds.length > 0) parts.push(eb(`${t}.channel_config_version_id`, 'in', v.versionIds));
  if (v.merchantsWithoutVersion.length > 0)
    parts.push(
      eb.and([
        eb(`${t}.channel_config_version_id`, 'is', null),
        eb(`${t}.merchant_id`, 'in', v.merchantsWithoutVersion),
      ]),
    );
  return parts.length === 0 ? eb.val(false) : eb.or(parts);
}

/** The orders of the day (any state but succeeded) and their config versions: the identities to ask. */
export async function dayIdentities(
  db: Queryable,
  channel: string,
  date: string,
): Promise<{ merchant_id: string; channel_config_version_id: string | null }[]> {
  const { start, end } = chinaDay(date);
  const fromOrders = await db
    .selectFrom('orders')
    .select(['merchant_id', 'channel_config_version_id'])
    .distinct()
    .where('channel', '=', channel)
    .where((eb) =>
      eb.or([
        eb.and([eb('paid_at', '>=', start), eb('paid_at', '<', end)]),
        eb.and([eb('created_at', '>=', start), eb('created_at', '<', end)]),
      ]),
    )
    .execute();
  const fromRefunds = await db
    .selectFrom('refunds')
    .innerJoin('orders', 'orders.id', 'refunds.order_id')
    .select(['orders.merchant_id', 'orders.channel_config_version_id'])
    .distinct()
    .where('orders.channel', '=', channel)
    .where('refunds.succeeded_at', '>=', start)
    .where('refunds.succeeded_at', '<', end)
    .execute();
  const seen = new Map<string, { merchant_id: string; channel_config_version_id: string | null }>();
  for (const r of [...fromOrders, ...fromRefunds])
    seen.set(`${r.merchant_id}/${r.channel_config_version_id ?? ''}`, r);
  return [...seen.values()];
}

const statusOf = (s: ChannelRecordStatus | undefined) => s ?? null;

/**
 * Writes a run's mismatches (in the caller's transaction, with the result). A mismatch already
 * known by its key keeps its id and, when resolved, its resolution; open ones the run no longer
 * finds are removed: the same file gives the same mismatches however often the day is run.
 */
export async function writeMismatches(
  tx: Tx,
  rec: ReconciliationRow,
  run: number,
  outcomes: readonly MatchOutcome[],
  now: Date,
): Promise<void> {
  for (const o of outcomes) {
    if (o.type === 'matched') continue;
    const c = o.channel;
    const p = o.platform;
    const base = (c ?? p)!;
    const values = {
      type: o.type,
      kind: base.kind,
      merchant_id: p?.merchantId ?? null,
      order_id: p?.orderId ?? (c && c.outTradeNo.startsWith('ord_') ? c.outTradeNo : null),
      refund_id: p?.kind === 'refund' ? p.id : c?.outRefundNo?.startsWith('rfd_') ? c.outRefundNo : null,
      out_trade_no: c?.outTradeNo ?? p?.outTradeNo ?? null,
      channel_trade_no: c?.channelTradeNo ?? null,
      channel_amount: c?.amount ?? null,
      platform_amount: p?.amount ?? null,
      channel_fee: c?.fee ?? null,
      platform_fee: p?.channelFee ?? null,
      channel_status: statusOf(c?.status),
      platform_status: statusOf(p?.status),
      detail: o.detail,
      run,
      updated_at: now,
    };
    await tx
      .insertInto('reconciliation_mismatches')
      .values({
        id: newId('mismatch', now.getTime()),
        reconciliation_id: rec.id,
        trade_date: rec.trade_date,
        channel: rec.channel,
        match_key: matchKey(base),
        created_at: now,
        ...values,
      })
      .onConflict((oc) => oc.columns(['reconciliation_id', 'match_key']).doUpdateSet(values))
      .execute();
  }
  await tx
    .deleteFrom('reconciliation_mismatches')
    .where('reconciliation_id', '=', rec.id)
    .where('run', '<', run)
    .where('status', '=', 'open')
    .execute();
}

export async function finishReconciliation(
  db: Queryable,
  id: string,
  result:
    | { status: 'completed'; summary: MatchSummary; totals: BillTotals | null }
    | { status: 'failed'; reason: string },
  now: Date,
): Promise<ReconciliationRow> {
  const set =
    result.status === 'completed'
      ? {
          status: 'completed' as const,
          reason: null,
          summary: JSON.stringify({
            matched: result.summary.matched,
            mismatched: result.summary.mismatched,
            channel_total: result.summary.channelTotal,
            platform_total: result.summary.platformTotal,
          }),
          totals: result.totals ? JSON.stringify(result.totals) : null,
        }
      : { status: 'failed' as const, reason: result.reason };
  return db
    .updateTable('reconciliations')
    .set({ ...set, updated_at: now, completed_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function getReconciliation(db: Queryable, id: string): Promise<ReconciliationRow | undefined> {
  return db.selectFrom('reconciliations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function mismatchesOf(db: Queryable, reconciliationId: string): Promise<MismatchRow[]> {
  return db
    .selectFrom('reconciliation_mismatches')
    .selectAll()
    .where('reconciliation_id', '=', reconciliationId)
    .orderBy('id')
    .execute();
}

export function getMismatch(db: Queryable, id: string, lock = false): Promise<MismatchRow | undefined> {
  const q = db.selectFrom('reconciliation_mismatches').selectAll().where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function markMismatch(
  db: Queryable,
  id: string,
  status: 'auto_resolved' | 'resolved',
  resolution: Record<string, unknown>,
  now: Date,
): Promise<MismatchRow> {
  return db
    .updateTable('reconciliation_mismatches')
    .set({ status, resolution: JSON.stringify(resolution), resolved_at: now, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface UnresolvedMismatch {
  id: string;
  type: MismatchRow['type'];
  order_id: string | null;
  channel: string;
  channel_amount: number | null;
  platform_amount: number | null;
}

/** For settlement: the mismatches of a trade date that no one has resolved yet. */
export async function unresolvedMismatches(db: Queryable, tradeDate: string): Promise<UnresolvedMismatch[]> {
  const rows = await db
    .selectFrom('reconciliation_mismatches')
    .select(['id', 'type', 'order_id', 'channel', 'channel_amount', 'platform_amount'])
    .where('trade_date', '=', tradeDate)
    .where('status', '=', 'open')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    channel_amount: r.channel_amount === null ? null : Number(r.channel_amount),
    platform_amount: r.platform_amount === null ? null : Number(r.platform_amount),
  }));
}

/** The reconciliations of a trade date (settlement reports them next to its figures). */
export function reconciliationsOf(db: Queryable, tradeDate: string): Promise<ReconciliationRow[]> {
  return db
    .selectFrom('reconciliations')
    .selectAll()
    .where('trade_date', '=', tradeDate)
    .orderBy('id')
    .execute();
}
