import type { Fen } from '../core/money.js';
import type { ChannelBillRecord, ChannelRecordStatus } from './bills/types.js';

/**
 * The matcher (CONTRACT §7): pairs each bill row with JuhePay's order or refund by merchant
 * number and says how they differ. Pure: records in, outcomes out. Two strategies with the same
 * outcomes: a sorted merge (both sides ordered by `matchKey` in code-unit order, constant memory)
 * and a hash join (the platform side in memory). They are the reference the daily run's match in
 * SQL (match-sql.ts) is tested against, and serve in-memory checks; the daily run holds neither side.
 */

export type MismatchType =
  'channel_only' | 'platform_only' | 'amount_mismatch' | 'status_mismatch' | 'fee_mismatch';
export type OutcomeType = 'matched' | MismatchType;

/** JuhePay's side of one trade or refund of the day, as the store reads it */
export interface PlatformRecord {
  kind: 'trade' | 'refund';
  /** the order (`ord_…`) or refund (`rfd_…`) id */
  id: string;
  /** the order id; for a refund, the refunded order's */
  orderId: string;
  merchantId: string;
  /** the merchant order number sent to the channel */
  outTradeNo: string;
  /** refunds: the refund number sent to the channel */
  outRefundNo?: string;
  amount: Fen;
  /** what the channel should charge (trade) or give back (refund) per the pricing snapshot (§6) */
  channelFee: Fen;
  /** the order's or refund's state in JuhePay's words */
  status: ChannelRecordStatus;
}

export interface MatchOutcome {
  type: OutcomeType;
  channel?: ChannelBillRecord;
  platform?: PlatformRecord;
  /** why, in words an operator reads (empty when matched) */
  detail: string;
}

interface Keyed {
  kind: 'trade' | 'refund';
  outTradeNo: string;
  outRefundNo?: string;
}

/** `T:<out_trade_no>` or `R:<out_refund_no>`: one namespace per kind, ordered by code unit */
export function matchKey(record: Keyed): string {
  return record.kind === 'trade' ? `T:${record.outTradeNo}` : `R:${record.outRefundNo ?? ''}`;
}

/** Compares one pair. Status first (the money did or did not move), then amount, then fee. */
export function compare(channel: ChannelBillRecord, platform: PlatformRecord): MatchOutcome {
  if (channel.status !== platform.status) {
    return {
      type: 'status_mismatch',
      channel,
      platform,
      detail: `channel ${channel.status}, JuhePay ${platform.status}`,
    };
  }
  if (channel.amount !== platform.amount) {
    return {
      type: 'amount_mismatch',
      channel,
      platform,
      detail: `channel ${channel.amount} fen, JuhePay ${platform.amount} fen`,
    };
  }
  if (channel.fee !== platform.channelFee) {
    return {
      type: 'fee_mismatch',
      channel,
      platform,
      detail: `channel fee ${channel.fee} fen, expected ${platform.channelFee} fen`,
    };
  }
  return { type: 'matched', channel, platform, detail: '' };
}

export function channelOnly(channel: ChannelBillRecord, why = 'not in JuhePay'): MatchOutcome {
  return { type: 'channel_only', channel, detail: why };
}

/** A platform record the bill does not list: a mismatch only when JuhePay counts the money as moved. */
export function platformOnly(platform: PlatformRecord): MatchOutcome | undefined {
  return platform.status === 'succeeded'
    ? { type: 'platform_only', platform, detail: 'not in the channel bill' }
    : undefined;
}

/** Hash join: the day's platform records in a map, the bill streamed past it. */
export class HashMatcher {
  private readonly pending = new Map<string, PlatformRecord>();
  private readonly seen = new Set<string>();

  constructor(platform: Iterable<PlatformRecord>) {
    for (const record of platform) this.pending.set(matchKey(record), record);
  }

  match(channel: ChannelBillRecord): MatchOutcome {
    const key = matchKey(channel);
    const platform = this.pending.get(key);
    const twice = this.seen.has(key);
    this.seen.add(key);
    if (platform === undefined)
      return channelOnly(channel, twice ? 'listed twice in the bill' : 'not in JuhePay');
    this.pending.delete(key);
    return compare(channel, platform);
  }

  /** after the last bill row: what JuhePay has and the bill lacks */
  *remaining(): Generator<MatchOutcome> {
    for (const platform of this.pending.values()) {
      const outcome = platformOnly(platform);
      if (outcome) yield outcome;
    }
    this.pending.clear();
  }
}

export async function* hashMatch(
  channel: AsyncIterable<ChannelBillRecord> | Iterable<ChannelBillRecord>,
  platform: Iterable<PlatformRecord>,
): AsyncGenerator<MatchOutcome> {
  const matcher = new HashMatcher(platform);
  for await (const record of channel) yield matcher.match(record);
  yield* matcher.remaining();
}

export class UnsortedInputError extends Error {}

async function* inOrder<T extends Keyed>(
  source: AsyncIterable<T> | Iterable<T>,
  side: string,
): AsyncGenerator<[string, T]> {
  let last: string | undefined;
  for await (const record of source) {
    const key = matchKey(record);
    if (last !== undefined && key < last)
      throw new UnsortedInputError(`${side} records are not ordered by matchKey at ${key}`);
    last = key;
    yield [key, record];
  }
}

/**
 * Sorted merge: both inputs ordered by `matchKey` (code-unit order); memory holds one record of
 * each side. Input out of order throws UnsortedInputError rather than inventing mismatches.
 */
export async function* mergeMatch(
  channel: AsyncIterable<ChannelBillRecord> | Iterable<ChannelBillRecord>,
  platform: AsyncIterable<PlatformRecord> | Iterable<PlatformRecord>,
): AsyncGenerator<MatchOutcome> {
  const c = inOrder(channel, 'channel');
  const p = inOrder(platform, 'platform');
  let cNext = await c.next();
  let pNext = await p.next();
  let lastChannelKey: string | undefined;
  while (!cNext.done || !pNext.done) {
    if (pNext.done || (!cNext.done && cNext.value[0] < pNext.value[0])) {
      const [key, record] = cNext.value!;
      yield channelOnly(record, key === lastChannelKey ? 'listed twice in the bill' : 'not in JuhePay');
      lastChannelKey = key;
      cNext = await c.next();
    } else if (cNext.done || pNext.value[0] < cNext.value[0]) {
      const outcome = platformOnly(pNext.value[1]);
      if (outcome) yield outcome;
      pNext = await p.next();
    } else {
      lastChannelKey = cNext.value[0];
      yield compare(cNext.value[1], pNext.value[1]);
      cNext = await c.next();
      pNext = await p.next();
    }
  }
}

export interface MatchSummary {
  matched: number;
  mismatched: number;
  byType: Record<OutcomeType, number>;
  /** Σ succeeded trades − Σ succeeded refunds in the bill (fen) */
  channelTotal: Fen;
  /** the same over JuhePay's records that were compared or reported */
  platformTotal: Fen;
}

export function emptySummary(): MatchSummary {
  return {
    matched: 0,
    mismatched: 0,
    byType: {
      matched: 0,
      channel_only: 0,
      platform_only: 0,
      amount_mismatch: 0,
      status_mismatch: 0,
      fee_mismatch: 0,
    },
    channelTotal: 0,
    platformTotal: 0,
  };
}

const signed = (r: { kind: 'trade' | 'refund'; amount: Fen; status: ChannelRecordStatus }) =>
  r.status !== 'succeeded' ? 0 : r.kind === 'trade' ? r.amount : -r.amount;

/** Adds one outcome to the running summary (mutates it: the summary of a million rows is one object). */
export function tally(summary: MatchSummary, outcome: MatchOutcome): MatchSummary {
  summary.byType[outcome.type]++;
  if (outcome.type === 'matched') summary.matched++;
  else summary.mismatched++;
  if (outcome.channel) summary.channelTotal += signed(outcome.channel);
  if (outcome.platform) summary.platformTotal += signed(outcome.platform);
  return summary;
}
