import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { CONTROL_ATTACKS, type Pools } from '../support/openapi-fuzz.js';
import {
  attackRequest,
  errorObject,
  operationsOf,
  requestsFor,
  send,
  stringSlots,
  type FuzzTarget,
  type Operation,
} from '../support/openapi-requests.js';
import { adminClient, succeeding } from '../support/admin.js';
import { merchantClient } from '../support/merchant-api.js';
import { KYC_APPLICATION } from '../support/kyc.js';

/**
 * Every operation of the served OpenAPI document (GET /docs/json), including ones added later,
 * gets seeded random requests: well-formed ones with valid auth (a signed merchant request on
 * /v1, the admin token on /admin) so they reach the handlers, and malformed ones (wrong types,
 * sizes, unicode, control characters, broken JSON, odd path segments, missing and extra fields,
 * missing or wrong auth). No answer may be >= 500; every 4xx is the API error object.
 * FUZZ_SEED and FUZZ_RUNS (per operation) change the seed and the size.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 24);
/** about 15 ms a request here; a shared CI machine gets ample room */
const FUZZ_TIMEOUT_MS = Math.max(120_000, RUNS_PER_OPERATION * 80 * 60);

const APPLICATION = KYC_APPLICATION;

describeEachEngine('OpenAPI-driven fuzz: no answer >= 500', (ctx) => {
  let t: TestApp;
  const pools: Pools = {};

  const admin = succeeding(adminClient(() => t.app));
  const merchant = succeeding(
    merchantClient(
      () => t.app,
      () => t.credentials,
      () => t.clock,
    ),
  );

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    // Objects for path parameters to name. The admin fuzz works on a second merchant and app, so
    // a fuzzed suspend, disable or secret rotation cannot lock the signing merchant out.
    const ins = (await admin('POST', '/institutions', { name: 'Fuzz Bank' })).id;
    const isp = (await admin('POST', '/service-providers', { name: 'Fuzz ISP', institution_id: ins })).id;
    const mch = (await admin('POST', '/merchants', { name: 'Fuzz Shop', service_provider_id: isp })).id;
    const sto = (await admin('POST', `/merchants/${mch}/stores`, { name: 'Fuzz Store' })).id;
    const trm = (await admin('POST', `/stores/${sto}/terminals`, { name: 'T1' })).id;
    const app = (await admin('POST', `/merchants/${mch}/apps`, { name: 'fuzz' })).app_id;
    const apl = (await admin('POST', '/onboarding', { ...APPLICATION, merchant_id: mch })).id;
    const batch = await admin('POST', '/plates', { count: 2 });
    const orders = [];
    for (let i = 0; i < 3; i++) {
      orders.push(
        (await merchant('POST', '/v1/orders', { mch_order_no: `fz${i}`, amount: 100, subject: 's' })).id,
      );
    }
    const exc = newId('exception', t.clock.nowMs());
    await ctx.database.db
      .insertInto('payment_exceptions')
      .values({
        id: exc,
        order_id: orders[0],
        kind: 'late_payment',
        channel: null,
        channel_trade_no: null,
        amount: null,
        details: '{}',
        resolution: null,
        created_at: t.clock.now(),
        resolved_at: null,
      })
      .execute();
    const events = (await merchant('GET', '/v1/events')).data.map((e: { id: string }) => e.id);
    Object.assign(pools, {
      ins: [ins],
      isp: [isp],
      mch: [mch],
      sto: [sto],
      trm: [trm],
      app: [app],
      apl: [apl],
      pbt: [batch.batch_id],
      ord: orders,
      exc: [exc],
      evt: events,
    });
    // plate codes for every path parameter that names a plate
    const codes = batch.plates.map((p: { code: string }) => p.code);
    Object.assign(pools, { 'param:code': codes, 'param:plate_code': codes });
  }, 120_000);
  afterAll(() => t?.close());

  const target = (): FuzzTarget => ({
    app: t.app,
    clock: t.clock,
    credentials: t.credentials,
    adminToken: TEST_ADMIN_TOKEN,
  });
  const operations = async (): Promise<Operation[]> =>
    operationsOf((await t.app.inject({ url: '/docs/json' })).json());

  it('refuses a control character in every string of every operation (400 naming it) and in credentials (401)', async () => {
    const ops = await operations();
    const wrong: string[] = [];
    let requests = 0;
    for (const [index, op] of ops.entries()) {
      // the credential itself: the app id (looked up in SQL) or the admin token
      for (const attack of op.auth === 'none' ? [] : CONTROL_ATTACKS) {
        const r = { method: op.method, url: op.path, auth: 'forged' as const, forgedCredential: attack };
        const res = await send(target(), op, r);
        requests++;
        if (res.statusCode !== 401 || errorObject(res.body)?.type !== 'authentication_error')
          wrong.push(
            `${op.method} ${op.path} credential ${JSON.stringify(attack)}: ${res.statusCode} ${res.body}`,
          );
      }
      for (const slot of stringSlots(op)) {
        for (const attack of [CONTROL_ATTACKS[0]!, CONTROL_ATTACKS[2]!]) {
          const r = attackRequest(op, pools, slot, attack, SEED + index);
          const res = await send(target(), op, r);
          requests++;
          const error = errorObject(res.body);
          if (res.statusCode !== 400 || error?.param !== slot.param)
            wrong.push(
              `${op.method} ${op.path} ${slot.where} ${slot.param} ${JSON.stringify(attack)}: ` +
                `${res.statusCode} ${res.body.slice(0, 200)}\n   ← ${r.url} ${r.body ?? ''}`,
            );
        }
      }
    }
    console.log(
      `control-character sweep [${ctx.engine}]: ${requests} requests over ${ops.length} operations`,
    );
    expect(wrong).toEqual([]);
    expect(requests).toBeGreaterThan(ops.length);
  }, 120_000);

  it(
    'answers every generated request below 500, with an error object for every 4xx',
    async () => {
      const ops = await operations();
      expect(ops.length).toBeGreaterThanOrEqual(70);
      const statuses: Record<number, number> = {};
      const reached = new Set<string>();
      const failures = new Map<string, string>(); // one example per operation, status and error code
      let requests = 0;
      const started = Date.now();

      for (const [index, op] of ops.entries()) {
        await fc.assert(
          fc.asyncProperty(requestsFor(op, pools), async (r) => {
            const res = await send(target(), op, r);
            requests++;
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            if (res.statusCode !== 401) reached.add(`${op.method} ${op.path}`);
            const fail = (what: string) =>
              failures.set(
                `${what} ${op.method} ${op.path} ${/"code":"([^"]+)"/.exec(res.body)?.[1] ?? ''}`,
                `${what} ← ${r.method} ${r.url} ${JSON.stringify(r).slice(0, 400)}\n   ${res.body.slice(0, 300)}`,
              );
            if (res.statusCode >= 500) fail(String(res.statusCode));
            if (res.statusCode < 400 || res.statusCode >= 500) return;
            const html = String(res.headers['content-type'] ?? '').startsWith('text/html');
            if (html && r.accept !== 'application/json' && op.auth === 'none') return; // a page for a browser
            if (!errorObject(res.body)) fail(`${res.statusCode} without an error object`);
          }),
          { seed: SEED + index, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
        );
      }

      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `OpenAPI fuzz [${ctx.engine}]: ${requests} requests over ${ops.length} operations in ${seconds} s ` +
          `(seed ${SEED}), statuses ${JSON.stringify(statuses)}`,
      );
      expect([...failures.values()]).toEqual([]);
      expect(requests).toBe(ops.length * RUNS_PER_OPERATION);
      // valid auth got every operation past authentication, so the handlers were fuzzed too
      expect(ops.filter((op) => !reached.has(`${op.method} ${op.path}`))).toEqual([]);
      expect(Object.entries(statuses).some(([s, n]) => Number(s) < 300 && n > 0)).toBe(true);
    },
    FUZZ_TIMEOUT_MS,
  );
});
