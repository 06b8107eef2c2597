import { expect } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Channel } from '../../src/channels/channel.js';
import { createAlipayChannel } from '../../src/channels/alipay/adapter.js';
import { createH5WalletChannel } from '../../src/channels/h5wallet/adapter.js';
import { ChannelRegistry } from '../../src/channels/registry.js';
import { sandboxChannelConfigs, type SandboxCredentials } from '../../src/demo/sandbox-configs.js';
import { createUnionpayChannel } from '../../src/channels/unionpay/adapter.js';
import { createWechatpayChannel } from '../../src/channels/wechatpay/adapter.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Cache } from '../../src/platform/cache/index.js';
import { runDue } from '../../src/platform/jobs/index.js';
import { paymentJobHandlers } from '../../src/payments/jobs.js';
import { SANDBOX_PLUGINS } from '../../src/sandbox/plugins.js';
import { createTestApp, type TestApp } from './app.js';
import { settledState, startTestSandbox, type TestSandbox } from './sandbox.js';
import { merchantHttpClient } from './merchant-api.js';
import { freePort } from './process.js';

/**
 * JuhePay and the sandbox, both listening on real ports, with every channel adapter configured
 * for the sandbox: notifications travel over HTTP exactly as in production. Both share one
 * ManualClock: `sandbox.advance(ms)` moves it and runs the channel's delays (retries, password
 * entry, settling), and `sandbox.settled()` waits for the notifications in flight to be answered.
 */
export interface PaymentsEnv {
  t: TestApp;
  sandbox: TestSandbox;
  clock: ManualClock;
  baseUrl: string;
  /** a signed merchant API call */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read API JSON loosely
  api(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** runs the background jobs that are due (polls, expiry, refunds, payment-code settling) */
  runJobs(): Promise<number>;
  /** a deterministic wait on state (see settledState): the sandbox settles before each check */
  eventually<T>(check: () => Promise<T | undefined>, what: string, rounds?: number): Promise<T>;
  /** like eventually, but each round also runs the due jobs and, until the state is reached, moves
   * the shared clock 5 s (at most 40 rounds: the official WeChat client signs with real time, and
   * the sandbox accepts 5 minutes of skew) */
  until<T>(check: () => Promise<T | undefined>, what: string): Promise<T>;
  close(): Promise<void>;
}

export async function startPaymentsEnv(
  database: Database,
  options: {
    /** stands between JuhePay and an adapter, e.g. to make one call misbehave as a channel might */
    wrap?: (channel: Channel) => Channel;
    /** the app's cache (default: in-process); the caller closes it */
    cache?: Cache;
  } = {},
): Promise<PaymentsEnv> {
  // one time for JuhePay, its adapters and the sandbox: moving it runs the channel's delays too
  const clock = new ManualClock(Date.now());
  const sandbox = await startTestSandbox(SANDBOX_PLUGINS, { clock });
  const credentials = (await (
    await fetch(`${sandbox.url}/sandbox/credentials`)
  ).json()) as SandboxCredentials;
  const configs = sandboxChannelConfigs(credentials, sandbox.url);
  const channels = new ChannelRegistry(
    { get: async (_merchant, channel) => configs[channel] },
    [
      createWechatpayChannel({ clock }),
      createAlipayChannel({ clock }),
      createUnionpayChannel({ clock }),
      createH5WalletChannel('qqwallet'),
      createH5WalletChannel('jdpay'),
      createH5WalletChannel('baiduwallet'),
    ].map(options.wrap ?? ((c) => c)),
  );
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp(database, {
    channels,
    clock,
    publicUrl: baseUrl,
    ...(options.cache ? { cache: options.cache } : {}),
  });
  await t.app.listen({ port, host: '127.0.0.1' });
  const handlers = paymentJobHandlers(t.ctx);
  const runJobs = async () =>
    (await runDue(database.db, handlers, { workerId: 'test', limit: 50, leaseMs: 60_000 }, clock)).claimed;
  return {
    t,
    sandbox,
    clock,
    baseUrl,
    api: merchantHttpClient(
      () => baseUrl,
      () => t.credentials,
      () => clock,
    ),
    eventually: (check, what, rounds) => settledState(sandbox, check, what, rounds),
    until: (check, what) =>
      settledState(
        sandbox,
        async () => {
          await runJobs();
          const value = await check();
          if (value === undefined) await sandbox.advance(5_000);
          return value;
        },
        what,
        40,
      ),
    runJobs,
    close: async () => {
      await t.close();
      await sandbox.close();
    },
  };
}

/**
 * A late payment: a UnionPay C2B order is closed (its code cannot be withdrawn, so closing reports
 * it lapsed), then the customer pays the code anyway. Resolves with the order (as the create call
 * answered it) and the payment exception the late success raised.
 */
export async function latePayment(env: PaymentsEnv, order: { mch_order_no: string; amount: number }) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, read loosely
  const created: any = (
    await env.api('POST', '/v1/orders', { ...order, subject: 'x', pay_way: 'unionpay_qr' })
  ).body;
  expect((await env.api('POST', `/v1/orders/${created.id}/close`)).body.status).toBe('closed');
  const pay = await fetch(`${env.sandbox.url}/sandbox/unionpay/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order_id: created.id.slice(4) }),
  });
  expect(pay.status).toBeLessThan(300);
  const exception = await env.eventually(
    () =>
      env.t.ctx.db
        .selectFrom('payment_exceptions')
        .selectAll()
        .where('order_id', '=', created.id)
        .executeTakeFirst(),
    'the late-payment exception',
  );
  return { order: created, exception };
}

/** A wallet's browser in JSON mode: follows redirect actions, keeping cookies, until the wallet action. */
export async function walletAction(baseUrl: string, orderId: string, userAgent: string) {
  const cookies = new Map<string, string>();
  const headers = () => ({
    'user-agent': userAgent,
    accept: 'application/json',
    cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
  });
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      cookies.set(k!, v!);
    }
  };
  let url = `${baseUrl}/pay/${orderId}`;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { headers: headers(), redirect: 'manual' });
    keep(res);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).toString();
      continue;
    }
    const body = (await res.json()) as {
      wallet: string;
      pay_way: string;
      action: { type: string; url?: string; [k: string]: unknown };
    };
    if (res.status !== 200) throw new Error(`cashier answered ${res.status}: ${JSON.stringify(body)}`);
    if (body.action.type === 'redirect' && body.action.url && ['wechat', 'alipay'].includes(body.wallet)) {
      url = body.action.url; // the channel's OAuth page
      continue;
    }
    return body;
  }
  throw new Error('too many redirects');
}
