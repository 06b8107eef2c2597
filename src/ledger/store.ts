import { sql } from 'kysely';
import { newId } from '../core/ids.js';
import type { Queryable, Tx } from '../platform/db/index.js';
import { BALANCE_SHARDS, shardOf } from './accounts.js';
import { checkedPostings, sides, type EntryDraft } from './journal.js';

/**
 * Writes entries: the entry row (unique on its event key: a replayed event writes nothing), its
 * postings, and the cached balances — one row per account and shard, bumped by the entry's
 * amounts. The shard comes from the entry id, so entries into one hot account spread over
 * BALANCE_SHARDS rows instead of queueing on one. Three statements per entry.
 */

export interface Posted {
  entryId: string;
  /** false when the event was already booked: nothing was written */
  created: boolean;
}

/** `shards`: how many balance rows per account to spread over (the benchmark compares 1 with the default). */
export async function postEntry(
  tx: Tx,
  draft: EntryDraft,
  now: Date,
  shards = BALANCE_SHARDS,
): Promise<Posted> {
  const postings = checkedPostings(draft);
  const id = newId('ledgerEntry', now.getTime());
  const inserted = await tx
    .insertInto('ledger_entries')
    .values({
      id,
      event_key: draft.eventKey,
      type: draft.type,
      balance_type: draft.balanceType,
      source: draft.source,
      merchant_id: draft.merchantId,
      amount: draft.amount,
      fee: draft.fee,
      net: draft.net,
      memo: JSON.stringify(draft.memo ?? {}),
      created_at: now,
    })
    .onConflict((oc) => oc.column('event_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    const existing = await tx
      .selectFrom('ledger_entries')
      .select('id')
      .where('event_key', '=', draft.eventKey)
      .executeTakeFirstOrThrow();
    return { entryId: existing.id, created: false };
  }
  if (postings.length === 0) return { entryId: id, created: true };
  await tx
    .insertInto('ledger_postings')
    .values(postings.map((p) => ({ entry_id: id, account: p.account, amount: p.amount, created_at: now })))
    .execute();
  const shard = shardOf(id, shards);
  // sorted, so two entries touching the same rows always lock them in the same order
  const rows = postings
    .map((p) => ({ account: p.account, shard, ...sides(p.amount) }))
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
  return { entryId: id, created: true };
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
  let query = db
    .selectFrom('ledger_entries')
    .select(['id', 'balance_type', 'amount', 'fee', 'net', 'source', 'created_at'])
    .where('merchant_id', '=', merchantId)
    .where('balance_type', 'is not', null)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (startingAfter) query = query.where('id', '<', startingAfter);
  return query.execute();
}
