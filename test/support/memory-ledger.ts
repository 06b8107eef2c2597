import { BALANCE_SHARDS, shardOf } from '../../src/ledger/accounts.js';
import { checkedPostings, type EntryDraft, type Posting } from '../../src/ledger/journal.js';

/**
 * The ledger's write semantics in memory, for property tests: an entry per event key (a replay
 * writes nothing), postings checked by the same code the store uses, and cached balances in
 * shards by entry id, as ledger_balances keeps them.
 */
export class MemoryLedger {
  readonly entries = new Map<string, { id: string; draft: EntryDraft; postings: Posting[] }>();
  readonly shards = new Map<string, number[]>();
  private seq = 0;

  post(draft: EntryDraft): boolean {
    const postings = checkedPostings(draft); // throws on an unbalanced entry, as the store does
    if (this.entries.has(draft.eventKey)) return false;
    const id = `btx_${String(++this.seq).padStart(26, '0')}`;
    this.entries.set(draft.eventKey, { id, draft, postings });
    const shard = shardOf(id);
    for (const p of postings) {
      const row = this.shards.get(p.account) ?? new Array<number>(BALANCE_SHARDS).fill(0);
      row[shard] = (row[shard] ?? 0) + p.amount;
      this.shards.set(p.account, row);
    }
    return true;
  }

  /** Signed (debit-positive) balance of an account from the cached shards. */
  cached(account: string): number {
    return (this.shards.get(account) ?? []).reduce((a, v) => a + v, 0);
  }

  /** The same, recomputed from every posting. */
  fromPostings(account: string): number {
    let total = 0;
    for (const e of this.entries.values())
      for (const p of e.postings) if (p.account === account) total += p.amount;
    return total;
  }

  accounts(): string[] {
    return [...this.shards.keys()].sort();
  }

  snapshot(): string {
    return JSON.stringify(this.accounts().map((a) => [a, this.cached(a)]));
  }
}
