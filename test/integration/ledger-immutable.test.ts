import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { accountTotals, postEntry, postingTotals } from '../../src/ledger/index.js';
import { describeEachEngine } from '../support/db.js';

// The database itself keeps the journal: entries and postings refuse UPDATE, DELETE and
// TRUNCATE even from raw SQL, and postings that don't sum to zero per entry are refused.
describeEachEngine('ledger: the database refuses changes and unbalanced entries', (ctx) => {
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 8));
  let entryId = '';

  const draft = (key: string, a: number, b: number) => ({
    eventKey: key,
    type: 'adjustment',
    balanceType: null,
    source: 'adj_test',
    merchantId: null,
    amount: 0,
    fee: 0,
    net: 0,
    postings: [
      { account: 'suspense:test', amount: a },
      { account: 'settlement_bank_cash:default', amount: b },
    ],
  });

  it('writes a balanced entry once per event key', async () => {
    const first = await inTransaction(ctx.database.db, (tx) =>
      postEntry(tx, draft('e1', 500, -500), clock.now()),
    );
    const again = await inTransaction(ctx.database.db, (tx) =>
      postEntry(tx, draft('e1', 500, -500), clock.now()),
    );
    expect(first.created).toBe(true);
    expect(again).toEqual({ entryId: first.entryId, created: false });
    entryId = first.entryId;
    expect(await accountTotals(ctx.database.db)).toEqual(await postingTotals(ctx.database.db));
    expect(await accountTotals(ctx.database.db)).toEqual([
      { account: 'settlement_bank_cash:default', debit: 0, credit: 500 },
      { account: 'suspense:test', debit: 500, credit: 0 },
    ]);
  });

  it('refuses an unbalanced entry in code', async () => {
    await expect(
      inTransaction(ctx.database.db, (tx) => postEntry(tx, draft('e2', 500, -499), clock.now())),
    ).rejects.toThrow(/sum to 1/);
  });

  for (const [what, statement] of [
    ['UPDATE a posting', () => sql`update ledger_postings set amount = amount + 1`],
    ['DELETE a posting', () => sql`delete from ledger_postings`],
    ['UPDATE an entry', () => sql`update ledger_entries set source = 'x'`],
    ['DELETE an entry', () => sql`delete from ledger_entries where id = ${entryId}`],
    ['TRUNCATE the postings', () => sql`truncate ledger_postings`],
    ['TRUNCATE the entries', () => sql`truncate ledger_entries cascade`],
  ] as const) {
    it(`refuses to ${what} with raw SQL`, async () => {
      await expect(statement().execute(ctx.database.db)).rejects.toThrow(/immutable/);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ledger_postings`.execute(
        ctx.database.db,
      );
      expect(rows[0]!.n).toBe(2);
    });
  }

  it('refuses raw-SQL postings that leave an entry unbalanced', async () => {
    const now = clock.now();
    await expect(
      inTransaction(ctx.database.db, async (tx) => {
        await sql`insert into ledger_entries (id, event_key, type, source, created_at)
          values ('btx_raw', 'raw', 'adjustment', 'adj_raw', ${now})`.execute(tx);
        await sql`insert into ledger_postings (entry_id, account, amount, created_at)
          values ('btx_raw', 'suspense:test', 100, ${now}), ('btx_raw', 'suspense:other', -99, ${now})`.execute(
          tx,
        );
      }),
    ).rejects.toThrow(/does not balance/);
    // …and a posting added later to a committed, balanced entry
    await expect(
      sql`insert into ledger_postings (entry_id, account, amount, created_at)
        values (${entryId}, 'suspense:test', 1, ${now})`.execute(ctx.database.db),
    ).rejects.toThrow(/does not balance/);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ledger_entries`.execute(
      ctx.database.db,
    );
    expect(rows[0]!.n).toBe(1);
  });
});
