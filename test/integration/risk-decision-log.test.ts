import { ValuesNode, type KyselyPlugin, type PluginTransformQueryArgs, type RootOperationNode } from 'kysely';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import { silentLogger } from '../../src/platform/logger.js';
import { DecisionLog } from '../../src/risk/decision-log.js';
import { createRisk } from '../../src/risk/index.js';
import type { DecisionRow } from '../../src/risk/store.js';
import { describeEachEngine } from '../support/db.js';

/** Counts the rows of every insert into risk_decisions the writer sends. */
class InsertSizes implements KyselyPlugin {
  readonly sizes: number[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'risk_decisions') {
      const values = node.values;
      this.sizes.push(values && ValuesNode.is(values) ? values.values.length : -1);
    }
    return node;
  }
  transformResult: KyselyPlugin['transformResult'] = async (args) => args.result;
}

/** The decision log writes big batches in small inserts, and loses nothing when one fails. */
describeEachEngine('risk: the decision log writer', (ctx) => {
  it('writes a batch in inserts of at most chunkRows rows, giving the event loop a turn between them', async () => {
    const sizes = new InsertSizes();
    const db = ctx.database.db.withPlugin(sizes);
    const clock = new ManualClock();
    const risk = await createRisk({
      db,
      cache: new MemoryCache(clock),
      clock,
      logger: silentLogger,
      log: { intervalMs: 3_600_000, maxBatch: 1_000_000, chunkRows: 40 },
    });
    const ids: string[] = [];
    for (let i = 0; i < 130; i++)
      ids.push((await risk.engine.decide({ scene: 'payment', ip: `10.0.0.${i % 250}`, amount: 100 })).id);
    expect(risk.engine.log.pending).toBe(130);

    // a timer-free task queued now runs before the flush is over: the writer yielded in between
    let turns = 0;
    const tick = () => {
      turns++;
      if (turns < 1_000) ticking = setImmediate(tick);
    };
    let ticking = setImmediate(tick);
    await risk.flush();
    clearImmediate(ticking);
    expect(sizes.sizes).toEqual([40, 40, 40, 10]);
    expect(turns).toBeGreaterThanOrEqual(3);
    const logged = await ctx.database.db
      .selectFrom('risk_decisions')
      .select('id')
      .where('id', 'in', ids)
      .execute();
    expect(logged).toHaveLength(130);
  });

  it('keeps the rows after a failed chunk and writes each exactly once on the next flush', async () => {
    const template = await ctx.database.db
      .selectFrom('risk_decisions')
      .selectAll()
      .limit(1)
      .executeTakeFirstOrThrow();
    const log = new DecisionLog(ctx.database.db, silentLogger, 3_600_000, 1_000_000, 10);
    let failing = true;
    const ids = Array.from({ length: 35 }, (_, i) => `${template.id}-retry-${i}`);
    for (const [i, id] of ids.entries())
      log.add((): DecisionRow => {
        // the 25th row cannot be built the first time: chunks 1 and 2 are in, the rest is kept
        if (i === 24 && failing) {
          failing = false;
          throw new Error('boom');
        }
        return { ...template, id };
      });
    await log.flush();
    expect(log.pending).toBe(15);
    await log.flush();
    expect(log.pending).toBe(0);
    const logged = await ctx.database.db
      .selectFrom('risk_decisions')
      .select('id')
      .where('id', 'in', ids)
      .execute();
    expect(logged.map((r) => r.id).sort()).toEqual([...ids].sort());
  });
});
