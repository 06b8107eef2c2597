import { sql, type RawBuilder } from 'kysely';
import { ID_BLOCK_DIGITS, newIdBlock } from '../core/ids.js';
import type { Tx } from '../platform/db/index.js';
import { emptySummary, type MatchSummary, type OutcomeType } from './match.js';
import type { ReconciliationRow } from './store.js';

/**
 * The match of a staged bill (staging.ts) with the day's platform records (platform.ts), done by
 * the database as one set-based statement: the outcomes the hash join of match.ts gives (same
 * kinds, same order of checks, same details), the mismatches upserted by their key with the
 * run's number, and only the counts per outcome read back. Memory stays the database's, bounded
 * by work_mem (it spills to disk past it), whatever the size of the bill.
 *
 * A key the bill lists twice: its first row is compared, every later one is channel-only
 * ("listed twice in the bill"), and the mismatch kept for the key is its last row's, as when the
 * hash join's outcomes are upserted one by one.
 */

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** ids of the run's new mismatches: a block of ids (newIdBlock) numbered by the row number */
function idsFrom(rowNumber: RawBuilder<unknown>): RawBuilder<string> {
  const block = newIdBlock('mismatch');
  return sql<string>`${block}::text || (select string_agg(substr(${ALPHABET}::text, ((${rowNumber} >> (5 * k)) & 31)::integer + 1, 1), '' order by k desc) from generate_series(0, ${ID_BLOCK_DIGITS - 1}) k)`;
}

const OUTCOME = sql`
  case when o.seq is null then 'platform_only'
       when o.p_key is null then 'channel_only'
       when o.status <> o.p_status then 'status_mismatch'
       when o.amount <> o.p_amount then 'amount_mismatch'
       when o.fee <> o.p_fee then 'fee_mismatch'
       else 'matched' end`;

const DETAIL = sql`
  case o.type
    when 'platform_only' then 'not in the channel bill'
    when 'channel_only' then case when o.nth > 1 then 'listed twice in the bill' else 'not in JuhePay' end
    when 'status_mismatch' then 'channel ' || o.status || ', JuhePay ' || o.p_status
    when 'amount_mismatch' then 'channel ' || o.amount || ' fen, JuhePay ' || o.p_amount || ' fen'
    else 'channel fee ' || o.fee || ' fen, expected ' || o.p_fee || ' fen' end`;

const UPDATED = [
  'type',
  'kind',
  'merchant_id',
  'order_id',
  'refund_id',
  'out_trade_no',
  'channel_trade_no',
  'channel_amount',
  'platform_amount',
  'channel_fee',
  'platform_fee',
  'channel_status',
  'platform_status',
  'detail',
  'run',
  'updated_at',
];

/**
 * Matches, writes the run's mismatches (in the caller's transaction, with the result) and returns
 * the summary. A mismatch already known by its key keeps its id and, when resolved, its
 * resolution; open ones the run no longer finds are removed: the same file gives the same
 * mismatches however often the day is run.
 */
export async function matchStaged(
  tx: Tx,
  rec: ReconciliationRow,
  platform: RawBuilder<unknown>,
  now: Date,
): Promise<MatchSummary> {
  // sorts and hashes of a day in memory up to this, on disk past it (the default 4 MB spills a 1M-row day)
  await sql`set local work_mem = '64MB'`.execute(tx);
  // JIT compiling this statement cost more than running it (seconds at any size): off, for this transaction
  await sql`set local jit = off`.execute(tx);
  const { rows } = await sql<{
    type: OutcomeType;
    n: number;
    channel_total: string;
    platform_total: string;
  }>`
    with b as (
      select s.seq, s.match_key, s.kind, s.out_trade_no, s.out_refund_no, s.channel_trade_no, s.amount, s.fee, s.status,
             row_number() over k as nth, count(*) over (partition by s.match_key collate "C") as n
        from reconciliation_bill_rows s
       where s.reconciliation_id = ${rec.id}
      window k as (partition by s.match_key collate "C" order by s.seq)
    ),
    joined as (
      select b.*, p.match_key as p_key, p.kind as p_kind, p.id as p_id, p.order_id as p_order_id,
             p.merchant_id as p_merchant_id, p.out_trade_no as p_out_trade_no, p.amount as p_amount,
             p.channel_fee as p_fee, p.status as p_status
        from b full join (${platform}) p on p.match_key = (case when b.nth = 1 then b.match_key end)
    ),
    -- a platform record the bill lacks is a mismatch only when JuhePay counts the money as moved
    o as (select o.*, ${OUTCOME} as type from joined o where o.seq is not null or o.p_status = 'succeeded'),
    written as (
      insert into reconciliation_mismatches
        (id, reconciliation_id, trade_date, channel, match_key, type, kind, merchant_id, order_id, refund_id,
         out_trade_no, channel_trade_no, channel_amount, platform_amount, channel_fee, platform_fee,
         channel_status, platform_status, detail, run, created_at, updated_at)
      select ${idsFrom(sql`m.rn`)}, ${rec.id}::text, ${rec.trade_date}::text, ${rec.channel}::text, coalesce(m.match_key, m.p_key),
             m.type, coalesce(m.kind, m.p_kind), m.p_merchant_id,
             coalesce(m.p_order_id, case when left(m.out_trade_no, 4) = 'ord_' then m.out_trade_no end),
             case when m.p_kind = 'refund' then m.p_id when left(m.out_refund_no, 4) = 'rfd_' then m.out_refund_no end,
             coalesce(m.out_trade_no, m.p_out_trade_no), m.channel_trade_no, m.amount, m.p_amount, m.fee, m.p_fee,
             m.status, m.p_status, m.detail, ${rec.runs}::integer, ${now}::timestamptz, ${now}::timestamptz
        from (select o.*, ${DETAIL} as detail, row_number() over (order by o.seq nulls last, o.p_key collate "C") as rn
                from o where o.type <> 'matched' and (o.seq is null or o.nth = o.n)) m
      on conflict (reconciliation_id, match_key) do update set
        ${sql.join(UPDATED.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))}
    )
    select o.type, count(*)::integer as n,
           coalesce(sum(case when o.status = 'succeeded' then case when o.kind = 'trade' then o.amount else -o.amount end end), 0) as channel_total,
           coalesce(sum(case when o.p_status = 'succeeded' then case when o.p_kind = 'trade' then o.p_amount else -o.p_amount end end), 0) as platform_total
      from o group by o.type`.execute(tx);
  await tx
    .deleteFrom('reconciliation_mismatches')
    .where('reconciliation_id', '=', rec.id)
    .where('run', '<', rec.runs)
    .where('status', '=', 'open')
    .execute();
  const summary = emptySummary();
  for (const r of rows) {
    summary.byType[r.type] = r.n;
    if (r.type === 'matched') summary.matched += r.n;
    else summary.mismatched += r.n;
    summary.channelTotal += Number(r.channel_total);
    summary.platformTotal += Number(r.platform_total);
  }
  return summary;
}
