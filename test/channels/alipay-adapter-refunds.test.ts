import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAlipayChannel } from '../../src/channels/alipay/adapter.js';
import { decodeForm } from '../../src/channels/alipay/protocol/form.js';
import { ManualClock } from '../../src/core/clock.js';
import {
  channel,
  env,
  fault,
  order,
  paidQrOrder,
  refundOf,
  rejection,
  useAlipaySandbox,
} from './alipay-adapter-support.js';

// The alipay adapter against the Alipay simulator over HTTP: refunds, bills, payer OAuth, failures.
useAlipaySandbox();

describe('alipay adapter: refunds and bills', () => {
  it('partial then full refund, idempotent by out_request_no, over-refund refused, refund query', async () => {
    const o = await paidQrOrder(1000);
    expect(await channel.refund(env.config, refundOf(o, 'rfd_a', 400))).toEqual({ state: 'succeeded' });
    expect(await channel.refund(env.config, refundOf(o, 'rfd_a', 400))).toMatchObject({ state: 'succeeded' }); // fund_change N → query
    expect(await channel.refund(env.config, refundOf(o, 'rfd_b', 700))).toMatchObject({
      state: 'failed',
      code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
    });
    expect(await channel.refund(env.config, refundOf(o, 'rfd_c', 600))).toEqual({ state: 'succeeded' });
    expect(await channel.refundQuery(env.config, refundOf(o, 'rfd_a', 400))).toMatchObject({
      state: 'succeeded',
    });
    expect(await channel.refundQuery(env.config, refundOf(o, 'rfd_zz', 1))).toEqual({ state: 'not_found' });
    // TRADE_CLOSED after a full refund: paid, then all of it went back (the order's refunds say which)
    expect(await channel.query(env.config, o)).toMatchObject({ state: 'refunded', amount: 1000 });
    expect(await channel.refund(env.config, refundOf(order(), 'rfd_x', 1))).toMatchObject({
      state: 'failed',
      code: 'ACQ.TRADE_NOT_EXIST',
    });
  });

  it("downloads today's bill: payments and refunds with their numbers and amounts", async () => {
    const o = await paidQrOrder(2500);
    await channel.refund(env.config, refundOf(o, 'rfd_bill', 500));
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const records = await channel.downloadBill(env.config, today);
    const mine = records.filter((r) => r.outTradeNo === o.outTradeNo);
    expect(mine.map((r) => [r.kind, r.amount, r.outRefundNo])).toEqual([
      ['payment', 2500, undefined],
      ['refund', 500, 'rfd_bill'],
    ]);
    expect(mine.every((r) => r.channelTradeNo.length === 28 && r.at instanceof Date)).toBe(true);
    // the sandbox's pricing (the demo's 0.23 %): 5.75 → 6 fen, the refund of a fifth gives 1 back
    expect(mine.map((r) => r.fee)).toEqual([6, 1]);
    expect(records.filter((r) => r.kind === 'payment').length).toBeGreaterThanOrEqual(2); // and the refund test's
    expect((await rejection(channel.downloadBill(env.config, '2026/01/01'))).kind).toBe('rejected');
    expect(await rejection(channel.downloadBill(env.config, '2999-01-01'))).toMatchObject({
      kind: 'rejected',
      channelCode: 'isp.bill_not_exist',
    });
  });
});

describe('alipay adapter: payer OAuth', () => {
  it('authorizeUrl → the sandbox redirects back with auth_code → payerId; a used code is refused', async () => {
    const auth = channel.payerAuth!;
    const url = auth.authorizeUrl(env.config, 'https://pay.example.com/cb?o=1', 'st-1');
    expect(url.startsWith(`${env.sandbox.url}/alipay/oauth2/publicAppAuthorize.htm?app_id=`)).toBe(true);
    expect(new URL(url).searchParams.get('scope')).toBe('auth_base');
    const res = await fetch(`${url}&buyer_id=buyer-oauth`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('o')).toBe('1');
    const code = back.searchParams.get('auth_code')!;
    expect(await auth.payerId(env.config, code)).toBe('buyer-oauth');
    // the refusal comes as a signed error_response, which alipay-sdk cannot verify: our core does
    expect(await rejection(auth.payerId(env.config, code))).toMatchObject({
      kind: 'rejected',
      channelCode: 'isv.code-invalid',
    });
    const real = { ...env.config, fields: { ...env.config.fields, oauth_base: '', sandbox: '' } };
    expect(auth.authorizeUrl(real, 'https://x.example.com/', 's')).toMatch(
      /^https:\/\/openauth\.alipay\.com\/oauth2\/publicAppAuthorize\.htm\?/,
    );
  });
});

describe('alipay adapter: failures', () => {
  it('a dropped connection (urllib re-sends once) is a retryable timeout', async () => {
    await fault('query', 'timeout', 2);
    const pending = rejection(channel.query(env.config, order()));
    for (const _attempt of [1, 2]) {
      await env.sandbox.held(); // each is held for 30 s of channel time, then dropped
      await env.sandbox.advance(30_000);
    }
    const error = await pending;
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(env.sandbox.ctx.faults.list()).toEqual([]);
  });

  it('system_error and HTTP 5xx are retryable system errors', async () => {
    await fault('precreate', 'system_error');
    expect(await rejection(channel.create(env.config, 'alipay_qr', order()))).toMatchObject({
      kind: 'system_error',
      channelCode: 'ACQ.SYSTEM_ERROR',
      retryable: true,
    });
    await fault('query', 'error_5xx');
    expect(await rejection(channel.query(env.config, order()))).toMatchObject({
      kind: 'system_error',
      channelCode: 'HTTP_503',
    });
  });

  it('an unreachable gateway is network; a silent one times out', async () => {
    const refused = {
      ...env.config,
      fields: { ...env.config.fields, gateway: 'http://127.0.0.1:1/alipay/gateway.do' },
    };
    expect((await rejection(channel.query(refused, order()))).kind).toBe('network');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const quick = createAlipayChannel({ timeoutMs: 150 });
      const cfg = {
        ...env.config,
        fields: { ...env.config.fields, gateway: `http://127.0.0.1:${port}/alipay/gateway.do` },
      };
      expect(await rejection(quick.query(cfg, order()))).toMatchObject({ kind: 'timeout', retryable: true });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('bad configuration: a missing field, a key Alipay does not know, a wrong Alipay public key', async () => {
    const { app_id: _drop, ...noAppId } = env.config.fields;
    expect(await rejection(channel.query({ channel: 'alipay', fields: noAppId }, order()))).toMatchObject({
      kind: 'config',
      channelCode: 'app_id',
    });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = (k: typeof other.privateKey, type: 'pkcs8' | 'spki') =>
      k.export({ type, format: 'pem' } as never).toString();
    const wrongKey = {
      ...env.config,
      fields: { ...env.config.fields, app_private_key: pem(other.privateKey, 'pkcs8') },
    };
    expect(await rejection(channel.query(wrongKey, order()))).toMatchObject({
      kind: 'config',
      channelCode: 'isv.invalid-signature',
    });
    const wrongPub = {
      ...env.config,
      fields: { ...env.config.fields, alipay_public_key: pem(other.publicKey, 'spki') },
    };
    expect(await rejection(channel.query(wrongPub, order()))).toMatchObject({
      kind: 'config',
      channelCode: 'invalid-response-signature',
    });
  });

  it('requests carry China time from the injected clock and the ISV fields; a non-gateway answer is a system error', async () => {
    const seen: { query: Record<string, string>; body: Record<string, string> }[] = [];
    const fake = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ query: decodeForm(req.url!.split('?')[1] ?? '')!, body: decodeForm(body)! });
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>maintenance</html>');
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const port = (fake.address() as { port: number }).port;
      const clock = new ManualClock(Date.parse('2026-03-01T02:00:00Z'));
      const cfg = {
        ...env.config,
        fields: { ...env.config.fields, gateway: `http://127.0.0.1:${port}/alipay/gateway.do` },
      };
      const error = await rejection(
        createAlipayChannel({ clock }).create(cfg, 'alipay_qr', order({ amount: 5 })),
      );
      expect(error).toMatchObject({ kind: 'system_error', retryable: true });
      const [request] = seen;
      expect(request!.query).toMatchObject({
        method: 'alipay.trade.precreate',
        timestamp: '2026-03-01 10:00:00', // whatever the host's time zone
        app_auth_token: env.config.fields.app_auth_token,
      });
      expect(JSON.parse(request!.body.biz_content!)).toMatchObject({
        total_amount: '0.05',
        extend_params: { sys_service_provider_id: env.config.fields.isv_pid },
      });
    } finally {
      fake.close();
    }
  });
});
