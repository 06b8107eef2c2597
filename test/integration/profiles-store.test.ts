import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { inTransaction } from '../../src/platform/db/index.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import { consumeOnce } from '../../src/platform/outbox/index.js';
import {
  BUILTIN_TAGS,
  bookDigest,
  compileTags,
  foldEvents,
  mergeBookInto,
  readDistribution,
  type ProfileEvent,
} from '../../src/profiles/index.js';
import {
  applyEventToStore,
  beginStateVersion,
  currentStateVersion,
  loadSubject,
  loadVersion,
  saveSubject,
  switchStateVersion,
} from '../../src/profiles/store.js';
import { readSummary, writeSummaries } from '../../src/profiles/serving-cache.js';
import { summarize } from '../../src/profiles/summary.js';
import { describeEachEngine } from '../support/db.js';
import { unique } from '../support/stream.js';

const clock = new ManualClock(new Date('2026-12-04T02:00:00Z'));
const tags = compileTags(BUILTIN_TAGS);
const wallet = BUILTIN_TAGS.find((t) => t.name === 'usual_wallet');

function payment(customer: string, channel: string, n: number): ProfileEvent {
  return {
    id: unique('evt'),
    type: 'order.succeeded',
    at: clock.now().getTime() + n * 60_000,
    merchant_id: 'mch_store',
    customer_id: customer,
    fields: {
      channel,
      pay_way: channel === 'alipay' ? 'alipay_qr' : 'wechat_jsapi',
      amount: 1200,
      device_id: 'dev_1',
    },
  };
}

describeEachEngine('profile store', (ctx) => {
  it('applies each event once through consumeOnce and ends equal to a recompute, then switches versions atomically', async () => {
    const { db } = ctx.database;
    const customer = unique('cus');
    const subject = `mch_store:${customer}`;
    const events = ['wechatpay', 'wechatpay', 'alipay', 'wechatpay', 'wechatpay'].map((c, i) =>
      payment(customer, c, i),
    );
    const version = await currentStateVersion(db);
    // every event delivered twice, the second time in reverse order
    for (const event of [...events, ...[...events].reverse()]) {
      await consumeOnce(
        db,
        'profiles',
        event,
        (tx) => applyEventToStore(tx, tags, version, event, clock.now()).then(() => undefined),
        clock,
      );
    }
    const stored = await loadSubject(db, version, subject);
    const state = stored.get('usual_wallet@1');
    if (!state || !wallet) throw new Error('no usual_wallet state');
    const dist = readDistribution(wallet, state, clock.now().getTime());
    expect(dist.top).toBe('wechatpay');
    expect(dist.evidence).toBe(5);
    expect(dist.values.find((v) => v.value === 'alipay')?.count).toBe(1);

    const incremental = new Map([[subject, stored]]);
    const recompute = foldEvents(tags, events);
    expect(bookDigest(incremental)).toBe(bookDigest(recompute));

    // a recompute builds the next version beside the current one and switches in one transaction
    const next = await inTransaction(db, (tx) => beginStateVersion(tx, clock.now()));
    expect(await currentStateVersion(db)).toBe(version);
    for (const [s, states] of recompute) await saveSubject(db, next, s, states, clock.now());
    const built = await loadVersion(db, next);
    await inTransaction(db, (tx) =>
      switchStateVersion(tx, next, { events: events.length, digest: bookDigest(built) }, clock.now()),
    );
    expect(await currentStateVersion(db)).toBe(next);
    expect(bookDigest(new Map([[subject, await loadSubject(db, next, subject)]]))).toBe(
      bookDigest(incremental),
    );
    // switching a version that is not building fails and leaves the pointer where it was
    await expect(
      inTransaction(db, (tx) => switchStateVersion(tx, version, { events: 0, digest: '' }, clock.now())),
    ).rejects.toThrow(/not building/);
    expect(await currentStateVersion(db)).toBe(next);
  });
});

it('rewrites the serving cache only when the top or its rounded confidence changes', async () => {
  if (!wallet) throw new Error('no usual_wallet');
  const cache = new MemoryCache(clock);
  const customer = unique('cus');
  const book = foldEvents(tags, []);
  const writes: boolean[] = [];
  const tops: (string | undefined)[] = [];
  const channels = ['alipay', 'wechatpay', 'wechatpay', 'wechatpay', 'wechatpay', 'wechatpay'];
  for (const [i, channel] of channels.entries()) {
    const event = payment(customer, channel, i);
    mergeBookInto(book, foldEvents(tags, [event]));
    const state = book.get(`mch_store:${customer}`)?.get('usual_wallet@1');
    if (!state) throw new Error('no state');
    const summary = summarize(readDistribution(wallet, state, clock.now().getTime()));
    writes.push(await writeSummaries(cache, `mch_store:${customer}`, new Map([['usual_wallet', summary]])));
    tops.push((await readSummary(cache, `mch_store:${customer}`))['usual_wallet']?.top);
    // the same summary again is never a write
    expect(await writeSummaries(cache, `mch_store:${customer}`, new Map([['usual_wallet', summary]]))).toBe(
      false,
    );
  }
  expect(tops).toEqual(['alipay', 'alipay', 'wechatpay', 'wechatpay', 'wechatpay', 'wechatpay']);
  expect(writes[0]).toBe(true);
  expect(writes[2]).toBe(true);
  const summary = await readSummary(cache, `mch_store:${customer}`);
  expect(summary['usual_wallet']?.confidence).toBe(Number(((5 + 1 / 6) / 7).toFixed(2)));
});
