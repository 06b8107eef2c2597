import { sql } from 'kysely';
import { newId } from '../core/ids.js';
import { newestFirst, type Queryable, type Tx } from '../platform/db/index.js';
import { BALANCE_SHARDS, shardOf } from './accounts.js';
import { checkedPostings, sides, type EntryDraft } from './journal.js';

/**
 * Writes entries: the entry row (unique on its event key: a replayed event writes nothing), its
 * postings, and the cached balances — one row per account and shard, bumped by the entry's
 * amounts. The shard comes from the entry id, so entries into one hot account spread over
 * BALANCE_SHARDS rows instead of queueing on one. Three statements per call, however many entries.
 */

export interface Posted {
  entryId: string;
  /** false when the event was already booked: nothing was written */
  created: boolean;
}

/** An entry to write, with the time of its business event (the entry's and postings' created_at). */
export interface TimedDraft {
  draft: EntryDraft;
  at: Date;
}

/** `shards`: how many balance rows per account to spread over (the benchmark compares 1 with the default). */
export async function postEntry(
  tx: Tx,
  draft: EntryDraft,
  now: Date,
  shards = BALANCE_SHARDS,
): Promise<Posted> {
  const [posted] = await postEntries(tx, [{ draft, at: now }], shards);
  return posted!;
}

/**
 * Writes many entries in three statements whatever their number (the booking consumer's batch):
 * the entry rows (unique on the event key: replayed events write nothing), all their postings,
 * and one upsert of the balance deltas summed per account and shard. A batch uses one shard (the
 * first new entry's), so its rows are few; one entry alone is the same as before. Returns one
 * result per draft, in order; a key repeated within the batch is written once.
 */
export async function postEntries(tx: Tx, drafts: TimedDraft[], shards = BALANCE_SHARDS): Promise<Posted[]> {
  const checked = drafts.map((d) => ({ ...d, postings: checkedPostings(d.draft) }));
  const ids = new Map<string, string>(); // event key → the id this call would give it
  for (const d of checked)
    if (!ids.has(d.draft.eventKey)) ids.set(d.draft.eventKey, newId('ledgerEntry', d.at.getTime()));
  const fresh = [...new Map(checked.map((d) => [d.draft.eventKey, d])).values()];
  const inserted = new Set(
    fresh.length === 0
      ? []
      : (
          await tx
            .insertInto('ledger_entries')
            .values(
              fresh.map(({ draft, at }) => ({
                id: ids.get(draft.eventKey)!,
                event_key: draft.eventKey,
                type: draft.type,
                balance_type: draft.balanceType,
                source: draft.source,
                merchant_id: draft.merchantId,
                amount: draft.amount,
                fee: draft.fee,
                net: draft.net,
                memo: JSON.stringify(draft.memo ?? {}),
                created_at: at,
              })),
            )
            .onConflict((oc) => oc.column('event_key').doNothing())
            .returning('event_key')
            .execute()
        ).map((r) => r.event_key),
  );
  const written = fresh.filter((d) => inserted.has(d.draft.eventKey));
  const postings = written.flatMap((d) =>
    d.postings.map((p) => ({
      entry_id: ids.get(d.draft.eventKey)!,
      account: p.account,
      amount: p.amount,
      created_at: d.at,
    })),
  );
  if (postings.length > 0) {
    await tx.insertInto('ledger_postings').values(postings).execute();
    const shard = shardOf(postings[0]!.entry_id, shards);
    // the debit and credit sides are summed apart (a balance row keeps both totals); sorted, so
    // two writers touching the same rows always lock them in the same order
    const sidesOf = new Map<string, { debit: number; credit: number }>();
    for (const p of postings) {
      const s = sidesOf.get(p.account) ?? { debit: 0, credit: 0 };
      const one = sides(p.amount);
      sidesOf.set(p.account, { debit: s.debit + one.debit, credit: s.credit + one.credit });
    }
    const rows = [...sidesOf]
      .map(([account, s]) => ({ account, shard, ...s }))
      .sort((a, b) => (a.account < b.account ? -1 : 1));
    await tx
      .insertInto('ledger_balances')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['account', 'shard']).doUpdateSet((eb) => ({
          debit: sql`${eb.ref('ledger_balances.debit')} + ${eb.ref('excluded.debit')}`,
          credit: sql`${eb.ref('ledger_balances.credit')} + ${eb.ref('excluded.credit')}`,
        })),
      )
      .execute();
  }
  // already booked before this call: report the existing entry's id
  const missing = fresh.filter((d) => !inserted.has(d.draft.eventKey)).map((d) => d.draft.eventKey);
  if (missing.length > 0) {
    const existing = await tx
      .selectFrom('ledger_entries')
      .select(['id', 'event_key'])
      .where('event_key', 'in', missing)
      .execute();
    for (const e of existing) ids.set(e.event_key, e.id);
  }
  const firstOfKey = new Set<string>();
  return checked.map(({ draft }) => {
    const created = inserted.has(draft.eventKey) && !firstOfKey.has(draft.eventKey);
    firstOfKey.add(draft.eventKey);
    return { entryId: ids.get(draft.eventKey)!, created };
  });
}

/** Credit-normal balances (credit − debit) of some accounts, from the cached shards. */
export async function creditBalances(db: Queryable, accounts: string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('ledger_balances')
    .select(['account'])
    .select((eb) => [eb.fn.sum<number>('debit').as('debit'), eb.fn.sum<number>('credit').as('credit')])
    .where('account', 'in', accounts)
    .groupBy('account')
    .execute();
  return new Map(rows.map((r) => [r.account, Number(r.credit) - Number(r.debit)]));
}

/** Every account's cached debit and credit totals. */
export async function accountTotals(db: Queryable) {
  const rows = await db
    .selectFrom('ledger_balances')
    .select(['account'])
    .select((eb) => [eb.fn.sum<number>('debit').as('debit'), eb.fn.sum<number>('credit').as('credit')])
    .groupBy('account')
    .orderBy('account')
    .execute();
  return rows.map((r) => ({ account: r.account, debit: Number(r.debit), credit: Number(r.credit) }));
}

/** The same totals recomputed from the postings (the auditor's view of the cache). */
export async function postingTotals(db: Queryable) {
  const rows = await db
    .selectFrom('ledger_postings')
    .select(['account'])
    .select(sql<number>`coalesce(sum(amount) filter (where amount > 0), 0)`.as('debit'))
    .select(sql<number>`coalesce(-sum(amount) filter (where amount < 0), 0)`.as('credit'))
    .groupBy('account')
    .orderBy('account')
    .execute();
  return rows.map((r) => ({ account: r.account, debit: Number(r.debit), credit: Number(r.credit) }));
}

export async function entriesBySource(db: Queryable, source: string) {
  const entries = await db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('source', '=', source)
    .orderBy('id')
    .execute();
  if (entries.length === 0) return [];
  const postings = await db
    .selectFrom('ledger_postings')
    .select(['entry_id', 'account', 'amount'])
    .where(
      'entry_id',
      'in',
      entries.map((e) => e.id),
    )
    .orderBy('id')
    .execute();
  return entries.map((e) => ({ entry: e, postings: postings.filter((p) => p.entry_id === e.id) }));
}

/** Each income account's earnings (credit − debit) over [from, to). */
export async function incomeBetween(db: Queryable, from: Date, to: Date) {
  const rows = await db
    .selectFrom('ledger_postings')
    .select('account')
    .select((eb) => eb.fn.sum<number>('amount').as('total'))
    .where('account', 'like', 'income\\_%')
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .groupBy('account')
    .orderBy('account')
    .execute();
  return rows.map((r) => ({ account: r.account, amount: -Number(r.total) }));
}

export async function balanceTransactions(
  db: Queryable,
  merchantId: string,
  limit: number,
  startingAfter: string | undefined,
) {
  const query = db
    .selectFrom('ledger_entries')
    .select(['id', 'balance_type', 'amount', 'fee', 'net', 'source', 'created_at'])
    .where('merchant_id', '=', merchantId)
    .where('balance_type', 'is not', null);
  return newestFirst(query, { limit, startingAfter }).execute();
}
