import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../platform/db/index.js';
import { chinaDay } from './store.js';

/**
 * JuhePay's side of a day for one channel (CONTRACT §7), as SQL the match joins in the database:
 * the orders that succeeded that day (paid_at, the channel's own success time) and the refunds
 * that succeeded that day, with the channel cost the pricing snapshot expects (§6). A refund
 * gives back its share of the order's cost, computed cumulatively like the merchant fee (the
 * refunds of a whole order return its whole cost). `identities` narrows to the orders placed
 * with these channel identities.
 */

export interface IdentityScope {
  versionIds: string[];
  merchantsWithoutVersion: string[];
}

/** the orders (alias `o`) placed with the identities: by config version, or by merchant when unversioned */
function identityFilter(v: IdentityScope | undefined): RawBuilder<unknown> {
  if (!v) return sql`true`;
  const parts: RawBuilder<unknown>[] = [];
  if (v.versionIds.length > 0) parts.push(sql`o.channel_config_version_id in (${sql.join(v.versionIds)})`);
  if (v.merchantsWithoutVersion.length > 0)
    parts.push(
      sql`(o.channel_config_version_id is null and o.merchant_id in (${sql.join(v.merchantsWithoutVersion)}))`,
    );
  return parts.length === 0 ? sql`false` : sql`(${sql.join(parts, sql` or `)})`;
}

/** round(value × part / whole), half up, in exact arithmetic (numeric): 0 when whole is 0 */
const scaledHalfUp = (value: RawBuilder<unknown>, part: RawBuilder<unknown>, whole: RawBuilder<unknown>) =>
  sql`case when ${whole} <= 0 then 0 else div(${value}::numeric * (${part}) * 2 + ${whole}, 2 * (${whole})::numeric) end`;

/**
 * A select of the day's platform records with the columns match_key (`T:<order>` / `R:<refund>`,
 * as matchKey), kind, id, order_id, merchant_id, out_trade_no, amount, channel_fee, status.
 * Every record is `succeeded`: a platform-only one always counts as money moved.
 */
export function platformSide(channel: string, date: string, identities?: IdentityScope): RawBuilder<unknown> {
  const { start, end } = chinaDay(date);
  const scope = identityFilter(identities);
  const cost = sql`coalesce(f.channel_cost, 0)`;
  // the refunds of the order before this one (any day): a lateral join, looked up once per refund
  const prior = sql`cross join lateral (select coalesce(sum(e.amount), 0) as prior from refunds e
      where e.order_id = r.order_id and e.status = 'succeeded' and (e.succeeded_at, e.id) < (r.succeeded_at, r.id)) pr`;
  return sql`
    select 'T:' || o.id as match_key, 'trade' as kind, o.id, o.id as order_id, o.merchant_id,
           o.id as out_trade_no, o.amount, ${cost} as channel_fee, 'succeeded' as status
      from orders o left join order_fees f on f.order_id = o.id
     where o.channel = ${channel} and o.status = 'succeeded'
       and o.paid_at >= ${start} and o.paid_at < ${end} and ${scope}
    union all
    select 'R:' || x.id, 'refund', x.id, x.order_id, x.merchant_id, x.order_id, x.amount,
           (${scaledHalfUp(sql`x.cost`, sql`x.prior + x.amount`, sql`x.total`)}
             - ${scaledHalfUp(sql`x.cost`, sql`x.prior`, sql`x.total`)})::bigint,
           'succeeded'
      from (select r.id, r.order_id, r.merchant_id, r.amount, o.amount as total, ${cost} as cost, pr.prior
              from refunds r join orders o on o.id = r.order_id left join order_fees f on f.order_id = o.id ${prior}
             where o.channel = ${channel} and r.status = 'succeeded'
               and r.succeeded_at >= ${start} and r.succeeded_at < ${end} and ${scope}) x`;
}

/** The orders of the day (any state but succeeded) and their config versions: the identities to ask. */
export async function dayIdentities(
  db: Queryable,
  channel: string,
  date: string,
): Promise<{ merchant_id: string; channel_config_version_id: string | null }[]> {
  const { start, end } = chinaDay(date);
  const { rows } = await sql<{ merchant_id: string; channel_config_version_id: string | null }>`
    select o.merchant_id, o.channel_config_version_id from orders o
     where o.channel = ${channel}
       and ((o.paid_at >= ${start} and o.paid_at < ${end}) or (o.created_at >= ${start} and o.created_at < ${end}))
    union
    select o.merchant_id, o.channel_config_version_id from refunds r join orders o on o.id = r.order_id
     where o.channel = ${channel} and r.succeeded_at >= ${start} and r.succeeded_at < ${end}
    order by 1, 2`.execute(db);
  return rows;
}
