import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  H5_WALLET_CONFIGS,
  H5_WALLET_NOTIFY_RETRY_MS,
  H5_WALLETS,
  signWalletMessage,
  verifyWalletMessage,
  walletSign,
  walletSignContent,
  type H5Wallet,
  type WalletMessage,
} from '../../src/channels/h5wallet/protocol/h5-wallet-protocol.js';
import { registerWalletSandboxes } from '../../src/sandbox/wallets/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let sb: TestSandbox;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let seq = 0;

beforeAll(async () => {
  sb = await startTestSandbox([registerWalletSandboxes]);
  receiver = await startNotifyReceiver((_n, i) => ({ status: i === 0 ? 500 : 200 })); // the very first delivery is refused once
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

async function call(
  wallet: H5Wallet,
  path: string,
  fields: WalletMessage,
  key = H5_WALLET_CONFIGS[wallet].key,
) {
  const res = await fetch(`${sb.url}/${wallet}/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signWalletMessage(fields, key)),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string | number> };
}
const create = (wallet: H5Wallet, over: WalletMessage = {}) =>
  call(wallet, 'payments', {
    mch_id: H5_WALLET_CONFIGS[wallet].mchId,
    out_trade_no: `T${Date.now()}${++seq}`,
    amount: 1999,
    description: 'coffee',
    notify_url: receiver.url,
    return_url: 'https://shop.example/return',
    nonce: 'n1',
    ...over,
  });

describe('the H5 wallet signature (our documented format)', () => {
  it('sorted non-empty k=v without sign, HMAC-SHA256 upper hex; the published test keys', () => {
    expect(walletSignContent({ b: 2, a: 'x', sign: 'S', empty: '' })).toBe('a=x&b=2');
    expect(walletSign({ a: 'x' }, 'k')).toMatch(/^[0-9A-F]{64}$/);
    expect(H5_WALLET_CONFIGS.qqwallet.key).toBe('juhepay-sandbox-qqwallet-key');
    const signed = signWalletMessage({ a: 'x', n: 1 }, 'k');
    expect(verifyWalletMessage(signed, 'k')).toBe(true);
    expect(verifyWalletMessage({ ...signed, n: 2 }, 'k')).toBe(false);
    expect(verifyWalletMessage(signed, 'other')).toBe(false);
    expect(verifyWalletMessage({ ...signed, sign: 'short' }, 'k')).toBe(false);
  });
});

describe.each(H5_WALLETS)('%s sandbox wallet', (wallet) => {
  const config = H5_WALLET_CONFIGS[wallet];

  it('create → H5 page → confirm → redirect, signed JSON notification (retried until 200) → query SUCCESS', async () => {
    const created = await create(wallet);
    expect(created.status).toBe(201);
    expect(verifyWalletMessage(created.body, config.key)).toBe(true);
    expect(created.body).toMatchObject({
      code: 'SUCCESS',
      status: 'WAIT_PAY',
      amount: 1999,
      mch_id: config.mchId,
    });
    const payUrl = String(created.body.pay_url);
    expect(payUrl).toBe(`${sb.url}/${wallet}/h5/pay/${created.body.payment_id}`);
    const page = await (await fetch(payUrl)).text();
    expect(page).toContain('¥19.99');
    expect(page).toContain(config.name);
    const confirmed = await fetch(`${payUrl}/confirm`, { method: 'POST', redirect: 'manual' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(
      `https://shop.example/return?out_trade_no=${created.body.out_trade_no}&status=SUCCESS`,
    );

    const mine = () => receiver.received.filter((n) => n.body.includes(String(created.body.out_trade_no)));
    await sb.advance(15_000); // a refused first delivery is retried 15 s later
    expect(
      sb.ctx.notifier.history().some((h) => h.label.includes(String(created.body.out_trade_no)) && h.done),
    ).toBe(true);
    expect(mine().length).toBeGreaterThanOrEqual(1);
    const note = JSON.parse(mine().at(-1)!.body) as Record<string, string | number>;
    expect(verifyWalletMessage(note, config.key)).toBe(true);
    expect(note).toMatchObject({
      status: 'SUCCESS',
      amount: 1999,
      out_trade_no: created.body.out_trade_no,
      payment_id: created.body.payment_id,
    });

    const queried = await call(wallet, 'payments/query', {
      mch_id: config.mchId,
      out_trade_no: String(created.body.out_trade_no),
      nonce: 'q',
    });
    expect(queried.status).toBe(200);
    expect(queried.body).toMatchObject({ status: 'SUCCESS', code: 'SUCCESS' });
    expect(verifyWalletMessage(queried.body, config.key)).toBe(true);
    expect(
      (await fetch(`${payUrl}/cancel`, { method: 'POST', redirect: 'manual' })).headers.get('location'),
    ).toContain('status=SUCCESS'); // decided once
  });

  it('the customer cancels: CLOSED, no notification; JSON shortcuts answer 409 / 404 / 400', async () => {
    const created = await create(wallet);
    const id = String(created.body.payment_id);
    const cancel = await fetch(`${sb.url}/sandbox/${wallet}/cancel`, {
      method: 'POST',
      body: JSON.stringify({ payment_id: id }),
    });
    expect(await cancel.json()).toMatchObject({ status: 'CLOSED' });
    expect(
      (
        await fetch(`${sb.url}/sandbox/${wallet}/pay`, {
          method: 'POST',
          body: JSON.stringify({ out_trade_no: created.body.out_trade_no }),
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await fetch(`${sb.url}/sandbox/${wallet}/pay`, {
          method: 'POST',
          body: JSON.stringify({ payment_id: 'nope' }),
        })
      ).status,
    ).toBe(404);
    expect((await fetch(`${sb.url}/sandbox/${wallet}/pay`, { method: 'POST', body: '{}' })).status).toBe(400);
    expect(sb.ctx.notifier.history().some((h) => h.label.includes(String(created.body.out_trade_no)))).toBe(
      false,
    );
    expect((await call(wallet, 'payments/query', { mch_id: config.mchId, payment_id: id })).body.status).toBe(
      'CLOSED',
    );
  });

  it('refuses bad requests with signed errors', async () => {
    const wrongKey = await call(
      wallet,
      'payments',
      {
        mch_id: config.mchId,
        out_trade_no: 'x1',
        amount: 1,
        notify_url: receiver.url,
        return_url: receiver.url,
      },
      'not-the-key',
    );
    expect(wrongKey).toMatchObject({ status: 401, body: { code: 'SIGN_ERROR' } });
    expect(verifyWalletMessage(wrongKey.body, config.key)).toBe(true);
    expect((await create(wallet, { mch_id: '1' })).body).toMatchObject({
      code: 'MCH_NOT_EXIST',
      param: 'mch_id',
    });
    for (const [over, param] of [
      [{ amount: 0 }, 'amount'],
      [{ amount: '100' }, 'amount'],
      [{ out_trade_no: 'has space' }, 'out_trade_no'],
      [{ notify_url: 'ftp://x' }, 'notify_url'],
      [{ return_url: '' }, 'return_url'],
    ] as const) {
      const res = await create(wallet, over as WalletMessage);
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body.param).toBe(param);
    }
    const dup = await create(wallet, { out_trade_no: `DUP${wallet}` });
    expect(dup.status).toBe(201);
    expect((await create(wallet, { out_trade_no: `DUP${wallet}` })).status).toBe(409);
    const raw = await fetch(`${sb.url}/${wallet}/v1/payments`, {
      method: 'POST',
      body: '{"nested":{"a":1}}',
    });
    expect(raw.status).toBe(400);
    expect(
      (await call(wallet, 'payments/query', { mch_id: config.mchId, out_trade_no: 'missing' })).status,
    ).toBe(404);
  });

  it('faults: system_error, error_5xx, timeout on create', async () => {
    const fault = (mode: string) =>
      fetch(`${sb.url}/sandbox/faults`, {
        method: 'POST',
        body: JSON.stringify({ channel: wallet, operation: 'create', mode }),
      });
    await fault('system_error');
    expect((await create(wallet)).body).toMatchObject({ code: 'SYSTEM_ERROR' });
    await fault('error_5xx');
    expect((await fetch(`${sb.url}/${wallet}/v1/payments`, { method: 'POST', body: '{}' })).status).toBe(502);
    await fault('timeout');
    const dropped = expect(create(wallet)).rejects.toThrow();
    await sb.held(); // held for 30 s of channel time, then the connection is dropped
    await sb.advance(30_000);
    await dropped;
    expect((await create(wallet)).status).toBe(201);
  });
});

it('retry schedule is documented: immediately, then 15 s, 30 s, 3 min, 10 min, 30 min, 1 h', () => {
  expect(H5_WALLET_NOTIFY_RETRY_MS).toEqual([15_000, 30_000, 180_000, 600_000, 1_800_000, 3_600_000]);
  expect(
    sb.ctx.notifier
      .history()
      .some((h) => h.attempts.length === 2 && h.attempts[0]!.status === 500 && h.attempts[1]!.acked),
  ).toBe(true);
});
