import { sql } from 'kysely';
import type { Db, Queryable } from '../platform/db/index.js';
import { AUTO_LIST_RULES, autoEntryFor, autoEntryId, autoSource, type Outcome } from './auto-lists.js';
import { payerSubject } from './hooks.js';
import { encodeListEntry, LISTS_MAP } from './shared-state.js';
import { toListEntry, type ListEntryRow } from './store.js';
import type { Cache } from '../platform/cache/cache.js';

/** Outcomes (refunded payments) read from the payment tables, and the entries they produce. */

export interface OutcomeDeps {
  db: Db;
  cache: Cache;
}

/** The refund outcome of one refund, from the database (the stream and the batch read the same). */
export async function refundOutcome(db: Queryable, refundId: string): Promise<Outcome | undefined> {
  const rows = await refundOutcomes(db, { refundId, limit: 1 });
  return rows[0];
}

export async function refundOutcomes(
  db: Queryable,
  page: { afterId?: string; refundId?: string; limit: number },
): Promise<Array<Outcome & { id: string }>> {
  let query = db
    .selectFrom('refunds as r')
    .innerJoin('orders as o', 'o.id', 'r.order_id')
    .select(['r.id', 'r.amount', 'r.succeeded_at', 'o.channel', 'o.payer', 'o.channel_payer_id'])
    .where('r.status', '=', 'succeeded')
    .orderBy('r.id')
    .limit(page.limit);
  if (page.refundId) query = query.where('r.id', '=', page.refundId);
  if (page.afterId) query = query.where('r.id', '>', page.afterId);
  const rows = await query.execute();
  return rows.flatMap((r) => {
    const payer = r.channel_payer_id ?? Object.values((r.payer as Record<string, string> | null) ?? {})[0];
    if (!r.channel || !payer || !r.succeeded_at) return [];
    return [
      {
        id: r.id,
        key: r.id,
        kind: 'refunded',
        subject: payerSubject(r.channel, payer),
        atMs: r.succeeded_at.getTime(),
      },
    ];
  });
}

export async function saveOutcome(db: Queryable, outcome: Outcome): Promise<void> {
  await db
    .insertInto('risk_outcomes')
    .values({
      event_id: outcome.key,
      kind: outcome.kind,
      subject: outcome.subject,
      amount: 0,
      at: new Date(outcome.atMs),
    })
    .onConflict((oc) => oc.columns(['event_id', 'kind', 'subject']).doNothing())
    .execute();
}

/** Recomputes every automatic entry of one subject from its stored outcomes; returns the cache changes. */
export async function applyAutoRules(db: Queryable, subject: string): Promise<Record<string, string | null>> {
  const stored = await db.selectFrom('risk_outcomes').selectAll().where('subject', '=', subject).execute();
  const outcomes = stored.map((o) => ({
    key: o.event_id,
    kind: o.kind,
    subject: o.subject,
    atMs: o.at.getTime(),
  }));
  const changes: Record<string, string | null> = {};
  for (const rule of AUTO_LIST_RULES) {
    const id = autoEntryId(rule, subject);
    const entry = autoEntryFor(rule, outcomes);
    await db.deleteFrom('risk_list_entries').where('id', '=', id).execute();
    if (!entry) {
      changes[id] = null;
      continue;
    }
    const row: ListEntryRow = {
      id,
      list: rule.list,
      type: 'payer',
      value: subject,
      reason: `${rule.threshold}+ ${rule.kind} in ${rule.windowMs / 3_600_000} h`,
      expires_at: new Date(entry.untilMs),
      source: autoSource(rule),
      created_at: new Date(entry.fromMs),
    };
    await db.insertInto('risk_list_entries').values(row).execute();
    changes[id] = encodeListEntry(toListEntry(row));
  }
  return changes;
}

/** Deletes automatic entries whose subject has no outcome left (never an operator's entry). */
export async function pruneAutoEntries(db: Queryable): Promise<string[]> {
  const gone = await db
    .deleteFrom('risk_list_entries')
    .where('source', 'like', 'auto:%')
    .where(sql<boolean>`value not in (select subject from risk_outcomes)`)
    .returning('id')
    .execute();
  return gone.map((g) => g.id);
}

export { LISTS_MAP };
