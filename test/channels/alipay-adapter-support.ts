import { afterAll, beforeAll, expect } from 'vitest';
import { createAlipayChannel } from '../../src/channels/alipay/adapter.js';
import { decodeForm } from '../../src/channels/alipay/protocol/form.js';
import {
  ChannelError,
  type ChannelConfig,
  type ChannelOrder,
  type RefundRequest,
} from '../../src/channels/channel.js';
import { registerAlipaySandbox } from '../../src/sandbox/alipay/index.js';
import {
  startNotifyReceiver,
  startTestSandbox,
  type ReceivedNotification,
  type TestSandbox,
} from '../support/sandbox.js';
import { alipayConfigFromSandbox } from '../../src/demo/sandbox-configs.js';

/**
 * The alipay adapter tests' harness: a sandbox with the Alipay simulator, a notify receiver that
 * acknowledges, and the adapter configured exactly as the demo tenant is (from /sandbox/credentials).
 */

export const channel = createAlipayChannel({ timeoutMs: 3_000 });
export const env = {} as {
  sandbox: TestSandbox;
  receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  config: ChannelConfig;
};
let seq = 0;

export function useAlipaySandbox(): void {
  beforeAll(async () => {
    env.sandbox = await startTestSandbox([registerAlipaySandbox]);
    env.receiver = await startNotifyReceiver(() => ({ status: 200, body: 'success' }));
    const credentials = (await (await fetch(`${env.sandbox.url}/sandbox/credentials`)).json()) as {
      alipay: Parameters<typeof alipayConfigFromSandbox>[0];
    };
    env.config = { channel: 'alipay', fields: alipayConfigFromSandbox(credentials.alipay, env.sandbox.url) };
  });
  afterAll(async () => {
    await env.receiver.close();
    await env.sandbox.close();
  });
}

export const order = (over: Partial<ChannelOrder> = {}): ChannelOrder => ({
  outTradeNo: `ord_${Date.now().toString(36)}${++seq}`,
  amount: 1234,
  subject: '测试商品 a&b',
  notifyUrl: env.receiver.url,
  expiresAt: new Date(Date.now() + 900_000),
  createdAt: new Date(),
  ...over,
});

export const refundOf = (o: ChannelOrder, outRefundNo: string, amount: number): RefundRequest => ({
  outTradeNo: o.outTradeNo,
  outRefundNo,
  amount,
  total: o.amount,
  notifyUrl: env.receiver.url,
  orderCreatedAt: o.createdAt,
});

export const post = async (path: string, body: unknown) => {
  const res = await fetch(`${env.sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
export const paycode = async (scenario: string) =>
  (await post('/sandbox/paycodes', { wallet: 'alipay', scenario })).body.auth_code as string;
export const fault = (operation: string, mode: string, count = 1) =>
  post('/sandbox/faults', { channel: 'alipay', operation, mode, count });

export const notificationsFor = (out: string): ReceivedNotification[] =>
  env.receiver.received.filter((n) => decodeForm(n.body)?.out_trade_no === out);

export const rejection = (promise: Promise<unknown>): Promise<ChannelError> =>
  promise.then(
    () => {
      throw new Error('expected a ChannelError');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(ChannelError);
      return error as ChannelError;
    },
  );

export async function paidQrOrder(amount = 1000): Promise<ChannelOrder> {
  const o = order({ amount });
  const created = await channel.create(env.config, 'alipay_qr', o);
  const codeUrl = (created.action as { code_url: string }).code_url;
  expect((await post('/sandbox/alipay/scan', { qr_code: codeUrl, buyer_id: 'buyer-qr' })).status).toBe(200);
  return o;
}
