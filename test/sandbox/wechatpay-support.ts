import { Wechatpay } from 'wechatpay-axios-plugin';
import {
  keyringFrom,
  parseNotification,
  signedHeadersFrom,
  type ParseNotificationResult,
} from '../../src/channels/wechatpay/protocol/index.js';
import type { TestSandbox } from '../support/sandbox.js';
import { startNotifyReceiver } from '../support/sandbox.js';

/** Shared by the WeChat sandbox tests: the official client pointed at the sandbox, and a verifying merchant endpoint. */

export interface WxResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the plugin's answers are untyped JSON / XML
  data: any;
  headers: Record<string, unknown>;
}
/** one endpoint of the official client: `{name}` segments are filled from the config, as the plugin does */
export interface WxCall {
  get(config?: object): Promise<WxResponse>;
  post(data?: object, config?: object): Promise<WxResponse>;
}

/** The official client; `wx('v3/pay/partner/transactions/jsapi').post(…)` is the plugin's own chain (`v2/…` goes to its XML client). */
export function officialClient(
  sandbox: TestSandbox,
  overrides: { privateKey?: string; serial?: string } = {},
): (path: string) => WxCall {
  const w = sandbox.ctx.keys.wechatpay;
  const client = new Wechatpay({
    mchid: w.sp_mchid,
    serial: overrides.serial ?? w.merchant_serial,
    privateKey: overrides.privateKey ?? w.merchant_private_key,
    certs: { [w.platform_public_key_id]: w.platform_public_key },
    secret: w.apiv2_key,
    baseURL: `${sandbox.url}/wechatpay/`,
  });
  return (path) => client.chain(path) as unknown as WxCall;
}

/** A merchant notify_url that verifies and decrypts with our protocol core; acks per `ack`. */
export async function verifyingReceiver(sandbox: TestSandbox, ack: (index: number) => number = () => 200) {
  const w = sandbox.ctx.keys.wechatpay;
  const keyring = keyringFrom({
    [w.platform_public_key_id]: w.platform_public_key,
    [w.platform_cert_serial]: w.platform_cert_pem,
  });
  const parsed: ParseNotificationResult[] = [];
  const receiver = await startNotifyReceiver((n, index) => {
    // the merchant lives in the sandbox's time: its timestamps are checked against the same clock
    const result = parseNotification(
      signedHeadersFrom(n.headers),
      n.body,
      keyring,
      w.apiv3_key,
      sandbox.clock,
    );
    parsed.push(result);
    return result.ok
      ? { status: ack(index) }
      : { status: 400, body: JSON.stringify({ code: 'FAIL', message: result.message }) };
  });
  return { ...receiver, parsed };
}

export function errorOf(error: unknown): { status: number | undefined; data: unknown } {
  const e = error as { response?: { status?: number; data?: unknown } };
  return { status: e.response?.status, data: e.response?.data };
}
