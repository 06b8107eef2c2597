import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVector } from '../support/vectors.js';
import type { ChannelConfig } from '../../src/channels/channel.js';
import { createUnionpayChannel } from '../../src/channels/unionpay/adapter.js';
import { unionpaySettings } from '../../src/channels/unionpay/config.js';
import { encodeAcpResponse, encodeForm } from '../../src/channels/unionpay/protocol/form.js';
import { ManualClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { generateSandboxKeys } from '../../src/sandbox/keygen.js';

/**
 * The published vector U2 (real UnionPay notification and query answer, signed by a CFCA TEST
 * signer under CFCA TEST OCA1 under the CFCA TEST root) through the production path: the
 * merchant's configuration (root_cert + middle_cert, as UnionPay issues acp_root.cer and
 * acp_middle.cer) → unionpaySettings → chain, dates and CN → signature. The adapter's clock is set
 * to when UnionPay sent each message: the signer certificate expired on 2025-07-31.
 */

const read = <T>(file: string): T => loadVector<T>(file);

interface U2Case {
  id: string;
  inputs: { params: Record<string, string>; caChain: { intermediatePem: string; rootPem: string } };
}

describe('UnionPay certificate chain from the configuration (vector U2)', () => {
  const u2 = read<{ cases: U2Case[] }>('unionpay-acp-notify-verify.json').cases;
  const u1 = read<{ inputs: { privateKeyPem: string }; expected: { certId: string } }>(
    'unionpay-acp-sign.json',
  );
  const notify = u2.find((c) => c.id === 'front-notify-callback')!;
  const queried = u2.find((c) => c.id === 'query-response')!;

  let server: Server;
  let config: ChannelConfig;
  beforeAll(async () => {
    // a gateway that answers any query with the vector's signed query response, raw as UnionPay writes it
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8' });
      res.end(encodeAcpResponse(queried.inputs.params)); // raw k=v, as the gateway answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    config = {
      channel: 'unionpay',
      fields: {
        base_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        mer_id: notify.inputs.params.merId!,
        cert_id: u1.expected.certId,
        sign_private_key: u1.inputs.privateKeyPem,
        root_cert: notify.inputs.caChain.rootPem,
        middle_cert: notify.inputs.caChain.intermediatePem,
      },
    };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const adapterAt = (iso: string) => createUnionpayChannel({ clock: new ManualClock(new Date(iso)) });
  const raw = (params: Record<string, string>) => ({ headers: {}, body: encodeForm(params) });

  it('a notification verifies through the configured root + middle, at the time it was sent', async () => {
    const up = adapterAt('2022-09-08T05:22:06Z');
    const parsed = await up.parseNotification(config, raw(notify.inputs.params));
    expect(parsed).toMatchObject({
      kind: 'payment',
      status: { state: 'succeeded', channelTradeNo: '782209081322060674028' },
    });
  });

  it('a query answer verifies the same way and reads as paid', async () => {
    const up = adapterAt('2022-09-11T04:16:50Z');
    const order = { outTradeNo: newId('order'), createdAt: new Date('2022-09-11T04:16:47Z') };
    expect(await up.query(config, order as never)).toMatchObject({
      state: 'succeeded',
      channelTradeNo: '512209110416475616528',
    });
  });

  it('the signer certificate must be within its dates at the adapter clock: expired today', async () => {
    const up = adapterAt('2026-12-04T00:00:00Z');
    await expect(up.parseNotification(config, raw(notify.inputs.params))).rejects.toMatchObject({
      kind: 'invalid_notification',
      message: expect.stringMatching(/not valid at/),
    });
    await expect(
      up.query(config, { outTradeNo: newId('order'), createdAt: new Date() } as never),
    ).rejects.toMatchObject({ message: expect.stringMatching(/not trusted/) });
  });

  it('without the intermediate the configuration is refused, naming middle_cert', async () => {
    const { middle_cert: _left, ...fields } = config.fields;
    const up = adapterAt('2022-09-08T05:22:06Z');
    await expect(
      up.parseNotification({ ...config, fields }, raw(notify.inputs.params)),
    ).rejects.toMatchObject({ kind: 'config', message: expect.stringMatching(/middle_cert/) });
  });

  it('a chain that does not hold together is a configuration error naming the field', async () => {
    const sandbox = (await generateSandboxKeys()).unionpay;
    const tries: Array<[Record<string, string>, RegExp]> = [
      [{ root_cert: config.fields.middle_cert! }, /root_cert is not a self-signed CA/],
      [{ middle_cert: config.fields.root_cert! }, /middle_cert is not an intermediate CA/],
      [{ middle_cert: sandbox.middle_cert_pem }, /middle_cert is not issued by root_cert/],
      [{ middle_cert: notify.inputs.params.signPubKeyCert! }, /middle_cert is not an intermediate CA/],
      [{ root_cert: 'not a certificate' }, /root_cert is not a certificate/],
    ];
    for (const [over, message] of tries) {
      expect(() => unionpaySettings({ ...config, fields: { ...config.fields, ...over } })).toThrow(message);
    }
  });
});
