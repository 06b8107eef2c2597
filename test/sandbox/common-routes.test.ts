import { createPublicKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certIdOf } from '../../src/channels/unionpay/protocol/signature.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox([]);
});
afterAll(() => sb.close());

const post = (path: string, body: unknown) =>
  fetch(`${sb.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('POST /sandbox/faults', () => {
  it('refuses bad input with 400 naming the parameter', async () => {
    const cases: Array<[unknown, string]> = [
      ['not json', 'body'],
      ['[1,2]', 'body'],
      [{ channel: 'paypal', operation: 'query', mode: 'timeout' }, 'channel'],
      [{ channel: 'wechatpay', operation: 'BAD OP', mode: 'timeout' }, 'operation'],
      [{ channel: 'wechatpay', operation: '', mode: 'timeout' }, 'operation'],
      [{ channel: 'wechatpay', operation: 'x'.repeat(41), mode: 'timeout' }, 'operation'],
      [{ channel: 'wechatpay', operation: 7, mode: 'timeout' }, 'operation'],
      [{ channel: 'wechatpay', operation: 'query', mode: 'explode' }, 'mode'],
      [{ channel: 'wechatpay', operation: 'query', mode: 'timeout', count: -1 }, 'count'],
      [{ channel: 'wechatpay', operation: 'query', mode: 'timeout', count: 1.5 }, 'count'],
      [{ channel: 'wechatpay', operation: 'query', mode: 'timeout', count: 1001 }, 'count'],
      [{ channel: 'wechatpay', operation: 'query', mode: 'timeout', count: '2' }, 'count'],
      // only WeChat refunds end ABNORMAL
      [{ channel: 'alipay', operation: 'refund', mode: 'abnormal' }, 'operation'],
      [{ channel: 'wechatpay', operation: 'query', mode: 'abnormal' }, 'operation'],
    ];
    for (const [body, param] of cases) {
      const res = await post('/sandbox/faults', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'parameter_invalid', param },
      });
    }
    expect(sb.ctx.faults.list()).toEqual([]);
  });

  it('count semantics: fires count times then is gone; default 1; 0 removes; same key replaces; * matches any operation', async () => {
    await fetch(`${sb.url}/sandbox/faults`, { method: 'DELETE' });
    const res = await post('/sandbox/faults', {
      channel: 'unionpay',
      operation: 'c2b',
      mode: 'system_error',
      count: 2,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      faults: [{ channel: 'unionpay', operation: 'c2b', mode: 'system_error', count: 2 }],
    });
    expect(sb.ctx.faults.take('unionpay', 'query')).toBeUndefined();
    expect(sb.ctx.faults.take('unionpay', 'c2b', ['timeout'])).toBeUndefined(); // other modes asked for
    expect(sb.ctx.faults.take('unionpay', 'c2b')).toBe('system_error');
    expect(sb.ctx.faults.take('unionpay', 'c2b')).toBe('system_error');
    expect(sb.ctx.faults.take('unionpay', 'c2b')).toBeUndefined();

    await post('/sandbox/faults', { channel: 'alipay', operation: 'query', mode: 'timeout' });
    expect(sb.ctx.faults.list()).toEqual([
      { channel: 'alipay', operation: 'query', mode: 'timeout', count: 1 },
    ]);
    await post('/sandbox/faults', { channel: 'alipay', operation: 'query', mode: 'timeout', count: 3 });
    expect(sb.ctx.faults.list()).toHaveLength(1);
    expect(sb.ctx.faults.list()[0]!.count).toBe(3);
    await post('/sandbox/faults', { channel: 'alipay', operation: 'query', mode: 'timeout', count: 0 });
    expect((await (await fetch(`${sb.url}/sandbox/faults`)).json()) as unknown).toEqual({ faults: [] });

    await post('/sandbox/faults', { channel: 'wechatpay', operation: '*', mode: 'error_5xx' });
    expect(sb.ctx.faults.take('alipay', 'refund')).toBeUndefined(); // other channel
    expect(sb.ctx.faults.take('wechatpay', 'refund')).toBe('error_5xx');
    expect(sb.ctx.faults.list()).toEqual([]);

    await post('/sandbox/faults', { channel: 'jdpay', operation: 'notify', mode: 'drop_notify' });
    const cleared = await fetch(`${sb.url}/sandbox/faults`, { method: 'DELETE' });
    expect(await cleared.json()).toEqual({ faults: [] });
    expect(sb.ctx.faults.list()).toEqual([]);
  });
});

describe('POST /sandbox/paycodes', () => {
  const shapes = {
    wechat: /^1[0-5]\d{16}$/,
    alipay: /^(2[5-9]|30)\d{14,22}$/,
    unionpay: /^62\d{17}$/,
  } as const;

  it('issues codes with each wallet real prefix for every scenario, remembered by the sandbox', async () => {
    for (const wallet of ['wechat', 'alipay', 'unionpay'] as const) {
      for (const scenario of ['success', 'password', 'timeout', 'insufficient_funds'] as const) {
        for (let i = 0; i < 5; i++) {
          const res = await post('/sandbox/paycodes', { wallet, scenario });
          expect(res.status).toBe(201);
          const body = (await res.json()) as {
            object: string;
            auth_code: string;
            wallet: string;
            scenario: string;
          };
          expect(body).toMatchObject({ object: 'paycode', wallet, scenario });
          expect(body.auth_code).toMatch(shapes[wallet]);
          expect(sb.ctx.paycodes.lookup(body.auth_code)).toEqual({ wallet, scenario, used: false });
        }
      }
    }
  });

  it('scenario defaults to success; markUsed sticks', async () => {
    const body = (await (await post('/sandbox/paycodes', { wallet: 'alipay' })).json()) as {
      auth_code: string;
      scenario: string;
    };
    expect(body.scenario).toBe('success');
    sb.ctx.paycodes.markUsed(body.auth_code);
    expect(sb.ctx.paycodes.lookup(body.auth_code)?.used).toBe(true);
    expect(sb.ctx.paycodes.lookup('620000')).toBeUndefined();
  });

  it('400 for bad input', async () => {
    for (const [body, param] of [
      ['nope', 'body'],
      [{ wallet: 'qq' }, 'wallet'],
      [{}, 'wallet'],
      [{ wallet: 'wechat', scenario: 'rich' }, 'scenario'],
    ] as const) {
      const res = await post('/sandbox/paycodes', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { param } });
    }
  });
});

describe('GET /sandbox/credentials', () => {
  it('has the CONTRACT §5 shape, with keys that belong together', async () => {
    const res = await fetch(`${sb.url}/sandbox/credentials`);
    expect(res.status).toBe(200);
    const c = (await res.json()) as Record<'wechatpay' | 'alipay' | 'unionpay', Record<string, string>>;
    const pem = (label: string) =>
      new RegExp(`^-----BEGIN ${label}-----\\n[\\s\\S]+-----END ${label}-----\\n?$`);
    expect(c.wechatpay).toMatchObject({
      base_url: `${sb.url}/wechatpay/`,
      sp_mchid: expect.stringMatching(/^\d{10}$/),
      sp_appid: expect.stringMatching(/^wx[0-9a-f]{16}$/),
      sub_mchid: expect.stringMatching(/^\d+$/),
    });
    expect(c.wechatpay.merchant_serial).toMatch(/^[0-9A-F]{40}$/);
    expect(c.wechatpay.merchant_private_key).toMatch(pem('PRIVATE KEY'));
    expect(c.wechatpay.platform_serial).toMatch(/^PUB_KEY_ID_\d+$/);
    expect(c.wechatpay.platform_public_key).toMatch(pem('PUBLIC KEY'));
    expect(c.wechatpay.apiv3_key).toHaveLength(32);
    expect(c.wechatpay.apiv2_key).toHaveLength(32);
    expect(c.alipay).toMatchObject({
      gateway: `${sb.url}/alipay/gateway.do`,
      app_id: expect.stringMatching(/^2021\d{12}$/),
      seller_id: expect.stringMatching(/^2088\d{12}$/),
    });
    expect(c.alipay.app_private_key).toMatch(pem('PRIVATE KEY'));
    expect(c.alipay.alipay_public_key).toMatch(pem('PUBLIC KEY'));
    expect(c.alipay.app_auth_token).toBeTruthy();
    expect(c.unionpay).toMatchObject({
      base_url: `${sb.url}/unionpay/`,
      mer_id: expect.stringMatching(/^\d{15}$/),
    });
    expect(c.unionpay.sign_private_key).toMatch(pem('PRIVATE KEY'));
    expect(c.unionpay.cert_id).toBe(certIdOf(c.unionpay.sign_cert!));
    const verifyCert = new X509Certificate(c.unionpay.verify_cert!);
    expect(createPublicKey(c.unionpay.verify_public_key!).export({ type: 'spki', format: 'der' })).toEqual(
      verifyCert.publicKey.export({ type: 'spki', format: 'der' }),
    );
    // UnionPay's signer is issued by the intermediate (acp_middle.cer), which the root issued
    const middle = new X509Certificate(c.unionpay.middle_cert!);
    expect(verifyCert.verify(middle.publicKey)).toBe(true);
    expect(verifyCert.verify(new X509Certificate(c.unionpay.root_cert!).publicKey)).toBe(false);
    expect(middle.ca && middle.verify(new X509Certificate(c.unionpay.root_cert!).publicKey)).toBe(true);
  });

  it('GET /sandbox/notifications lists the notifier history', async () => {
    expect(await (await fetch(`${sb.url}/sandbox/notifications`)).json()).toEqual({ notifications: [] });
  });
});
