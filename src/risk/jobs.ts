import { inTransaction, type Db } from '../platform/db/index.js';
import type { Cache } from '../platform/cache/cache.js';
import { applyAutoRules, pruneAutoEntries, refundOutcomes, saveOutcome } from './outcomes.js';
import { LISTS_MAP } from './shared-state.js';

/**
 * The offline tier: `juhepay risk recompute-lists` reads every succeeded refund in the history,
 * records its outcome, and recomputes every automatic entry in full. It converges to what the
 * stream consumer produced, and touches only automatic entries (source `auto:*`), never an
 * operator's.
 */
export async function recomputeLists(
  deps: { db: Db; cache: Cache },
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<{ outcomes: number; subjects: number }> {
  const total = Number(
    (
      await deps.db
        .selectFrom('refunds')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'succeeded')
        .executeTakeFirstOrThrow()
    ).n,
  );
  const subjects = new Set<string>();
  let afterId: string | undefined;
  let done = 0;
  for (;;) {
    const page = await refundOutcomes(deps.db, { limit: 500, ...(afterId ? { afterId } : {}) });
    if (page.length === 0) break;
    await inTransaction(deps.db, async (tx) => {
      for (const outcome of page) {
        await saveOutcome(tx, outcome);
        subjects.add(outcome.subject);
      }
    });
    afterId = page[page.length - 1]!.id;
    done += page.length;
    onProgress(done, total);
  }
  const changes: Record<string, string | null> = {};
  for (const subject of subjects)
    Object.assign(changes, await inTransaction(deps.db, (tx) => applyAutoRules(tx, subject)));
  for (const id of await pruneAutoEntries(deps.db)) changes[id] = null;
  if (Object.keys(changes).length > 0) await deps.cache.mapWrite(LISTS_MAP, changes);
  return { outcomes: done, subjects: subjects.size };
}
