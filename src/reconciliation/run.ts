import { createReadStream, statSync } from 'node:fs';
import { ChannelError, type ChannelBillFile, type ChannelId } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { recoverChannelOnly } from './recover.js';
import { parseBill, type BillFormat } from './reconcile.js';
import { BillParseError, type BillTotals, type ChannelBillRecord } from './bills/types.js';
import { BillFileWriter, storedAsRead } from './bill-files.js';
import { matchStaged } from './match-sql.js';
import { dayIdentities, platformSide } from './platform.js';
import { clearStaged, stageBill } from './staging.js';
import { beginReconciliation, finishReconciliation, type ReconciliationRow } from './store.js';

/**
 * One day's reconciliation of a channel (CONTRACT §7): per channel identity, download the bill
 * through the adapter (or take a file), store it raw, parse it as a stream into the staging table,
 * match it with the day's orders and refunds in the database (match-sql.ts), write the mismatches
 * in one transaction with the result, then recover on their own the channel-only trades that are
 * JuhePay's. Memory stays flat whatever the size of the bill: no side of the day is ever held in
 * JS. Network calls happen outside the transactions. A bill that cannot be trusted fails the
 * reconciliation with the parser's reason.
 */

export interface ReconcileDeps {
  db: Db;
  clock: Clock;
  channels: ChannelRegistry;
  /**
   * Asks the channel about one of JuhePay's orders and applies the answer (the payments module's
   * polling step): the order succeeds, or a payment exception is opened for a payment on a closed
   * order. Without it channel-only trades stay open.
   */
  recoverOrder?: (orderId: string) => Promise<void>;
}

export interface Progress {
  identity: string;
  /** bytes of the bill parsed so far, and its size */
  done: number;
  total: number;
  rows: number;
}

export interface ReconcileRequest {
  date: string;
  channel: ChannelId;
  /** a bill already downloaded (`--file`): reconciled against all of the channel's records of the day */
  file?: string;
  onProgress?: (p: Progress) => void;
}

export const BILL_FORMATS: Partial<Record<ChannelId, BillFormat>> = {
  wechatpay: 'wechatpay_tradebill',
  alipay: 'alipay_bill_zip',
  unionpay: 'unionpay_acp_dayfile',
};

export class ReconcileRequestError extends Error {}

function isCalendarDate(date: string): boolean {
  const at = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === date;
}

export async function reconcileDay(deps: ReconcileDeps, req: ReconcileRequest): Promise<ReconciliationRow[]> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(req.date) || !isCalendarDate(req.date))
    throw new ReconcileRequestError(`date ${req.date} is not YYYY-MM-DD`);
  const format = BILL_FORMATS[req.channel];
  if (!format) throw new ReconcileRequestError(`channel ${req.channel} has no daily bill`);
  if (req.file) return [await reconcileFile(deps, req, format, req.file)];

  const adapter = deps.channels.adapter(req.channel);
  if (!adapter.downloadBillFile || !adapter.billIdentity)
    throw new ReconcileRequestError(`channel ${req.channel} cannot download its bill`);
  // one bill per channel identity among the identities the day's orders were placed with
  const groups = new Map<
    string,
    { config: Parameters<typeof adapter.downloadBillFile>[0]; versionIds: string[]; merchants: string[] }
  >();
  const unusable: ReconciliationRow[] = [];
  for (const ref of await dayIdentities(deps.db, req.channel, req.date)) {
    let config;
    let identity;
    try {
      config = await deps.channels.configOf(ref, req.channel);
      identity = adapter.billIdentity(config);
    } catch (error) {
      // an identity JuhePay can no longer speak for (configuration removed or broken): said, not skipped
      if (!(error instanceof ChannelError || error instanceof ApiError)) throw error;
      const rec = await beginReconciliation(
        deps.db,
        { date: req.date, channel: req.channel, identity: `merchant:${ref.merchant_id}` },
        deps.clock.now(),
      );
      const reason = `no usable ${req.channel} configuration for ${ref.merchant_id}: ${error.message}`;
      unusable.push(
        await finishReconciliation(deps.db, rec.id, { status: 'failed', reason }, deps.clock.now()),
      );
      continue;
    }
    const group = groups.get(identity) ?? { config, versionIds: [], merchants: [] };
    if (ref.channel_config_version_id) group.versionIds.push(ref.channel_config_version_id);
    else group.merchants.push(ref.merchant_id);
    groups.set(identity, group);
  }
  if (groups.size === 0 && unusable.length > 0) return unusable;
  if (groups.size === 0) {
    // no order or refund that day: no identity to ask, nothing JuhePay counts
    const rec = await beginReconciliation(
      deps.db,
      { date: req.date, channel: req.channel, identity: 'none' },
      deps.clock.now(),
    );
    return [
      await matchAndWrite(
        deps,
        rec,
        null,
        format,
        platformSide(req.channel, req.date, { versionIds: [], merchantsWithoutVersion: [] }),
        req,
      ),
    ];
  }
  const results: ReconciliationRow[] = [...unusable];
  for (const [identity, group] of groups) {
    const rec = await beginReconciliation(
      deps.db,
      { date: req.date, channel: req.channel, identity },
      deps.clock.now(),
    );
    let bill: ChannelBillFile | null;
    try {
      bill = await adapter.downloadBillFile(group.config, req.date);
    } catch (error) {
      const reason = error instanceof ChannelError ? `download failed: ${error.message}` : undefined;
      if (!reason) throw error;
      results.push(
        await finishReconciliation(deps.db, rec.id, { status: 'failed', reason }, deps.clock.now()),
      );
      continue;
    }
    const platform = platformSide(req.channel, req.date, {
      versionIds: group.versionIds,
      merchantsWithoutVersion: group.merchants,
    });
    if (!bill) {
      // no bill: the channel saw nothing that day, so whatever JuhePay counts is platform-only
      results.push(await matchAndWrite(deps, rec, null, format, platform, req));
      continue;
    }
    const source = {
      file: { format, fileName: bill.fileName, sha1: bill.sha1 },
      bytes: [bill.bytes],
      size: bill.bytes.length,
      sha1: bill.sha1,
    };
    results.push(await matchAndWrite(deps, rec, source, format, platform, req));
  }
  return results;
}

async function reconcileFile(
  deps: ReconcileDeps,
  req: ReconcileRequest,
  format: BillFormat,
  path: string,
): Promise<ReconciliationRow> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new ReconcileRequestError(`cannot read ${path}`);
  }
  const rec = await beginReconciliation(
    deps.db,
    { date: req.date, channel: req.channel, identity: 'file' },
    deps.clock.now(),
  );
  const source = {
    file: { format, fileName: path.split(/[\\/]/).pop() },
    bytes: createReadStream(path, { highWaterMark: 1 << 16 }),
    size,
  };
  return matchAndWrite(deps, rec, source, format, platformSide(req.channel, req.date), req);
}

/**
 * Channels that rewrite our ids on the wire (UnionPay: no `_`): the bill's numbers back to ours.
 * The others get their records as they are: no extra async step per row of a million.
 */
function ourIds(
  records: AsyncIterable<ChannelBillRecord>,
  idOf: ((no: string, kind: 'trade' | 'refund') => string | undefined) | undefined,
): AsyncIterable<ChannelBillRecord> {
  return idOf ? mapIds(records, idOf) : records;
}

async function* mapIds(
  records: AsyncIterable<ChannelBillRecord>,
  idOf: (no: string, kind: 'trade' | 'refund') => string | undefined,
): AsyncGenerator<ChannelBillRecord> {
  for await (const r of records) {
    const outTradeNo = idOf(r.outTradeNo, 'trade') ?? r.outTradeNo;
    const outRefundNo =
      r.outRefundNo === undefined ? undefined : (idOf(r.outRefundNo, 'refund') ?? r.outRefundNo);
    yield { ...r, outTradeNo, ...(outRefundNo === undefined ? {} : { outRefundNo }) };
  }
}

async function* counted(
  bytes: AsyncIterable<Uint8Array>,
  onBytes: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of bytes) {
    onBytes(chunk.length);
    yield chunk;
  }
}

async function matchAndWrite(
  deps: ReconcileDeps,
  rec: ReconciliationRow,
  source: {
    /** what is stored about the file */
    file: { format: string; fileName?: string | undefined; sha1?: string | undefined };
    bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
    size: number;
    sha1?: string | undefined;
  } | null,
  format: BillFormat,
  platform: ReturnType<typeof platformSide>,
  req: ReconcileRequest,
): Promise<ReconciliationRow> {
  let totals: BillTotals | null = null;
  let done = 0;
  const progress = (rows: number) =>
    req.onProgress?.({ identity: rec.identity, done, total: source?.size ?? 0, rows });
  await clearStaged(deps.db, rec.id); // rows a run that died left behind
  // the raw bill is stored as the parser reads it (one pass over the bytes), whole even when it is refused
  const stored =
    source &&
    storedAsRead(await BillFileWriter.open(deps.db, rec.id, source.file, deps.clock.now()), source.bytes);
  try {
    if (stored && source) {
      const adapter = deps.channels.has(rec.channel as ChannelId)
        ? deps.channels.adapter(rec.channel as ChannelId)
        : undefined;
      const records = ourIds(
        parseBill(
          {
            format,
            date: rec.trade_date,
            bytes: counted(stored.bytes, (n) => (done += n)),
            ...(source.sha1 ? { sha1: source.sha1 } : {}),
          },
          (t) => (totals = t),
        ),
        adapter?.billOrderId?.bind(adapter),
      );
      await stageBill(deps.db, rec.id, records, progress);
      await stored.drain(); // bytes after what the parser needed (a zip's trailer) are part of the file
      await stored.finish();
      if (!totals) throw new BillParseError('the bill ended without its totals');
    }
  } catch (error) {
    await clearStaged(deps.db, rec.id);
    if (!(error instanceof BillParseError)) throw error;
    await stored?.drain();
    await stored?.finish();
    // used whole or not at all: none of the rows read before the failure is kept
    return finishReconciliation(
      deps.db,
      rec.id,
      { status: 'failed', reason: error.message },
      deps.clock.now(),
    );
  }
  const finished = await inTransaction(deps.db, async (tx) => {
    const summary = await matchStaged(tx, rec, platform, deps.clock.now());
    await clearStaged(tx, rec.id);
    return finishReconciliation(tx, rec.id, { status: 'completed', summary, totals }, deps.clock.now());
  });
  await recoverChannelOnly(deps, rec.id);
  return finished;
}
