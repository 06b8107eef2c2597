import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelConfig, ChannelOrder } from '../../src/channels/channel.js';
import { ChannelError } from '../../src/channels/channel.js';
import { createWechatpayChannel } from '../../src/channels/wechatpay/adapter.js';
import { parseWechatpayConfig } from '../../src/channels/wechatpay/config.js';
import { encryptResource } from '../../src/channels/wechatpay/protocol/aead.js';
import {
  decryptPlatformCerts,
  PLATFORM_CERTS_REFRESH_MS,
  platformCertsStale,
  PlatformCertsError,
} from '../../src/channels/wechatpay/protocol/platform-certs.js';
import { ManualClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { registerWechatpaySandbox } from '../../src/sandbox/wechatpay/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import {
  wechatpayConfigFromSandbox,
  type WechatpaySandboxCredentials,
} from '../../src/demo/sandbox-configs.js';

// Issue 9 point 7 (WeChat): certificate mode with the platform certificates downloaded from
// GET /v3/certificates (decrypted with the APIv3 key), cached per configuration and fetched again
// on the injected clock's schedule and for an unknown serial; the public-key mode keeps working.
describe('wechatpay platform certificates from /v3/certificates (certificate mode)', () => {
  let sandbox: TestSandbox;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  let credentials: WechatpaySandboxCredentials;
  let config: ChannelConfig;
  const clock = new ManualClock(Date.now());
  const channel = createWechatpayChannel({ clock, timeoutMs: 3_000 });
  const certListFetches: string[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    sandbox = await startTestSandbox([registerWechatpaySandbox], { clock }); // the adapter's time
    receiver = await startNotifyReceiver();
    credentials = (
      (await (await fetch(`${sandbox.url}/sandbox/credentials`)).json()) as {
        wechatpay: WechatpaySandboxCredentials;
      }
    ).wechatpay;
    config = wechatpayConfigFromSandbox(credentials, sandbox.url, 'certificates');
    // the official client talks over axios; only the certificate store uses fetch: count its calls
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/v3/certificates')) certListFetches.push(url);
      return realFetch(input, init);
    });
  });
  afterEach(() => signing('public_key'));
  afterAll(async () => {
    vi.restoreAllMocks();
    await receiver.close();
    await sandbox.close();
  });

  const signing = (mode: 'public_key' | 'certificate') =>
    realFetch(`${sandbox.url}/sandbox/wechat/signing`, { method: 'POST', body: JSON.stringify({ mode }) });
  const newOrder = (amount: number): ChannelOrder => ({
    outTradeNo: newId('order'),
    amount,
    subject: '证书模式',
    notifyUrl: receiver.url,
    expiresAt: new Date(Date.now() + 15 * 60_000),
    createdAt: new Date(),
  });

  it('the configuration needs no platform key: the certificates come from the channel', () => {
    expect(config.fields).toMatchObject({ platform_cert_download: '1' });
    expect(config.fields.platform_public_key).toBeUndefined();
    expect(parseWechatpayConfig(config)).toMatchObject({ platformCertDownload: true });
    expect(parseWechatpayConfig(config).keyring.size).toBe(0);
    const { platform_cert_download: _d, ...none } = config.fields;
    expect(() => parseWechatpayConfig({ ...config, fields: none })).toThrow(/platform_public_key/);
  });

  it('orders, queries and notifications verify with the downloaded certificate; the list is fetched once', async () => {
    await signing('certificate');
    const order = newOrder(321);
    const seen = receiver.received.length;
    const { action } = await channel.create(config, 'wechat_native', order);
    expect(action.type).toBe('qr_code');
    expect(certListFetches).toHaveLength(1);
    if (action.type !== 'qr_code') return;
    const scan = await realFetch(`${sandbox.url}/sandbox/wechat/scan`, {
      method: 'POST',
      body: JSON.stringify({ code_url: action.code_url, openid: 'oCertMode' }),
    });
    expect(scan.status).toBe(200);
    expect(await channel.query(config, order)).toMatchObject({ state: 'succeeded', amount: 321 });
    await sandbox.settled(); // the notification has been delivered
    const n = receiver.received[seen]!;
    expect(n.headers['wechatpay-serial']).toBe(credentials.platform_cert_serial);
    expect(await channel.parseNotification(config, { headers: n.headers, body: n.body })).toMatchObject({
      kind: 'payment',
      outTradeNo: order.outTradeNo,
      status: { state: 'succeeded' },
    });
    expect(certListFetches).toHaveLength(1); // cached for the configuration
  });

  it('fetched again when the list is 12 hours old (by the injected clock)', async () => {
    await signing('certificate');
    const before = certListFetches.length;
    await channel.query(config, newOrder(1));
    expect(certListFetches).toHaveLength(before);
    clock.advance(PLATFORM_CERTS_REFRESH_MS + 1);
    try {
      await channel.query(config, newOrder(1)).catch(() => undefined);
      expect(certListFetches).toHaveLength(before + 1);
    } finally {
      clock.set(Date.now());
    }
  });

  it('an answer signed by a serial not in the list fetches it again (once a minute at most), then is refused', async () => {
    await signing('public_key'); // answers now name PUB_KEY_ID_…, which no certificate has
    const before = certListFetches.length;
    // a 2xx answer (non-2xx ones are not signed-checked): opening an order
    const error = await channel.create(config, 'wechat_native', newOrder(1)).then(
      () => undefined,
      (e: unknown) => e as ChannelError,
    );
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'config', channelCode: 'EV3_RES_HEADER_PLATFORM_SERIAL' });
    expect(certListFetches).toHaveLength(before + 1);
    await channel.create(config, 'wechat_native', newOrder(1)).catch(() => undefined);
    expect(certListFetches).toHaveLength(before + 1);
  });

  it('public-key mode still works against the same sandbox', async () => {
    await signing('public_key');
    const pk = wechatpayConfigFromSandbox(credentials, sandbox.url);
    expect(await channel.query(pk, newOrder(5))).toMatchObject({ state: 'not_found' });
  });

  it('a wrong APIv3 key cannot open the list: a configuration error', async () => {
    await signing('certificate');
    const wrong = { ...config, fields: { ...config.fields, apiv3_key: 'x'.repeat(32) } };
    const error = await channel.query(wrong, newOrder(1)).then(
      () => undefined,
      (e: unknown) => e as ChannelError,
    );
    expect(error).toMatchObject({ kind: 'config', message: expect.stringMatching(/apiv3_key/) });
  });
});

describe('platform certificate list rules (pure)', () => {
  it('decrypts, checks the serial, and knows when to fetch again', async () => {
    const { generateSandboxKeys } = await import('../../src/sandbox/keygen.js');
    const k = (await generateSandboxKeys()).wechatpay;
    const entry = (serial: string, key = k.apiv3_key) => ({
      serial_no: serial,
      effective_time: '2026-01-01T00:00:00+08:00',
      expire_time: '2031-01-01T00:00:00+08:00',
      encrypt_certificate: encryptResource(k.platform_cert_pem, key, 'certificate'),
    });
    const [cert] = decryptPlatformCerts({ data: [entry(k.platform_cert_serial)] }, k.apiv3_key);
    expect(cert).toMatchObject({ serial: k.platform_cert_serial });
    expect(() => decryptPlatformCerts({ data: [entry('0123456789ABCDEF')] }, k.apiv3_key)).toThrow(
      PlatformCertsError,
    );
    expect(() =>
      decryptPlatformCerts({ data: [entry(k.platform_cert_serial, 'y'.repeat(32))] }, k.apiv3_key),
    ).toThrow(PlatformCertsError);
    expect(() => decryptPlatformCerts({ data: [] }, k.apiv3_key)).toThrow(PlatformCertsError);

    const now = Date.now();
    expect(platformCertsStale([], undefined, now)).toBe(true);
    expect(platformCertsStale([cert!], now, now + 60_000)).toBe(false);
    expect(platformCertsStale([cert!], now, now + PLATFORM_CERTS_REFRESH_MS)).toBe(true);
    const expiring = { ...cert!, expiresAt: new Date(now + 3 * 24 * 3600 * 1000) };
    expect(platformCertsStale([expiring], now, now + 60_000)).toBe(true); // renew before expiry
  });
});
