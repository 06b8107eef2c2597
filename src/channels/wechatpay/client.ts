import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Wechatpay } from 'wechatpay-axios-plugin';
import { ChannelError, type ChannelConfig, type ChannelErrorKind } from '../channel.js';
import { parseWechatpayConfig, type WechatpaySettings } from './config.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { PlatformCertStore } from './platform-certs.js';
import { v2Verify, type V2Params } from './protocol/v2-codec.js';
import { keyringFrom, signedHeadersFrom, verifySigned } from './protocol/v3-signing.js';

/**
 * The official client (wechatpay-axios-plugin) for one configuration, with its response checks on
 * (v3 signatures with the keyring, v2 signs with the APIv2 key), and transport failures mapped to
 * ChannelError kinds. Clients are cached per configuration: building one parses keys, and in
 * certificate mode with platform_cert_download the cached client keeps that configuration's
 * downloaded platform certificates (platform-certs.ts).
 */

export interface WxAnswer {
  status: number;
  // the plugin's answers are untyped JSON (v3) or flat string records (v2)
  data: unknown;
}

interface WxEndpoint {
  get(config?: object): Promise<WxAnswer>;
  post(data?: object, config?: object): Promise<WxAnswer>;
}

/** A v3 call that the channel refused: its status and WeChat's `code` are kept for the caller's table. */
export class WechatCallError extends ChannelError {
  constructor(
    kind: ChannelErrorKind,
    message: string,
    channelCode: string | undefined,
    readonly httpStatus: number | undefined,
  ) {
    super(kind, message, channelCode);
  }
}

interface TransportError {
  code?: string;
  message?: string;
  response?: { status?: number; data?: unknown };
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ESOCKETTIMEDOUT']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_NETWORK',
]);
/** the plugin's own codes when an answer's signature cannot be checked: our keys or clock are wrong */
const VERIFY_CODES = new Set([
  'EV3_RES_HEADER_PLATFORM_SERIAL',
  'EV3_RES_HEADER_SIGNATURE_DIGEST',
  'EV3_RES_HEADER_TIMESTAMP_OFFSET',
  'EV2_RES_SIGNATURE_NOT_EQUAL',
]);

/**
 * Pure: a transport or HTTP failure → the ChannelError the caller acts on. A dropped connection after
 * the request went out is a timeout (the outcome is unknown); one that never connected is 'network'.
 */
export function classifyTransportError(error: TransportError): WechatCallError {
  const status = error.response?.status;
  const data = error.response?.data;
  const body = data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  const code = typeof body.code === 'string' ? body.code : undefined;
  const text = typeof body.message === 'string' ? body.message : (error.message ?? 'no message');
  if (error.code && VERIFY_CODES.has(error.code))
    return new WechatCallError(
      'config',
      `answer not authentic (${error.code}): check the platform key, APIv2 key and clock`,
      error.code,
      status,
    );
  if (error.code === 'EV3_RES_HEADERS_INCOMPLATE')
    return new WechatCallError(
      'system_error',
      'a 2xx answer without WeChat signature headers',
      error.code,
      status,
    );
  if (status !== undefined) {
    if (status === 401)
      return new WechatCallError(
        'config',
        `WeChat refused our signature: ${code ?? ''} ${text}`,
        code ?? 'SIGN_ERROR',
        status,
      );
    if (status >= 500 || status === 429 || code === 'SYSTEM_ERROR' || code === 'FREQUENCY_LIMITED')
      return new WechatCallError(
        'system_error',
        `WeChat ${status} ${code ?? ''}: ${text}`,
        code ?? String(status),
        status,
      );
    return new WechatCallError('rejected', `WeChat ${status} ${code ?? ''}: ${text}`, code, status);
  }
  if (error.code && TIMEOUT_CODES.has(error.code))
    return new WechatCallError(
      'timeout',
      `no answer from WeChat (${error.code}): ${error.message ?? ''}`,
      undefined,
      undefined,
    );
  if (error.code && NETWORK_CODES.has(error.code))
    return new WechatCallError(
      'network',
      `cannot reach WeChat (${error.code}): ${error.message ?? ''}`,
      undefined,
      undefined,
    );
  return new WechatCallError(
    'network',
    `WeChat call failed: ${error.code ?? ''} ${error.message ?? String(error)}`,
    undefined,
    undefined,
  );
}

function isTransportError(error: unknown): error is TransportError {
  return (
    !!error &&
    typeof error === 'object' &&
    ('isAxiosError' in error || 'response' in error || 'code' in error)
  );
}

export class WechatClient {
  private chain: ((path: string) => WxEndpoint) | undefined;
  private chainSerials = '';
  /** certificate mode with downloaded platform certificates; undefined otherwise */
  readonly platformCerts: PlatformCertStore | undefined;

  constructor(
    readonly settings: WechatpaySettings,
    private readonly timeoutMs: number,
    clock: Clock = systemClock,
  ) {
    if (settings.platformCertDownload) this.platformCerts = new PlatformCertStore(settings, clock, timeoutMs);
    else this.chain = this.build(Object.fromEntries(settings.keyring));
  }

  private build(certs: Record<string, unknown>): (path: string) => WxEndpoint {
    const s = this.settings;
    // the plugin (and axios) load with the first WeChat client, not with the server
    const { Wechatpay: Client } = createRequire(import.meta.url)(
      'wechatpay-axios-plugin',
    ) as typeof import('wechatpay-axios-plugin');
    const client = new Client({
      mchid: s.spMchid,
      serial: s.merchantSerial,
      privateKey: s.merchantPrivateKey,
      certs,
      secret: s.apiv2Key,
      baseURL: s.baseUrl,
      timeout: this.timeoutMs,
      ...(s.merchantCert ? { merchant: { cert: s.merchantCert, key: s.merchantPrivateKeyPem } } : {}),
    } as unknown as ConstructorParameters<typeof Wechatpay>[0]);
    // the typings only know the generated chain; `chain(path)` is the plugin's own untyped entry point
    return (path) => (client as unknown as { chain(p: string): WxEndpoint }).chain(path);
  }

  /**
   * The official client's endpoint with the platform keys in force now (certificate mode: the
   * current download). Returned inside an object: the plugin's chain is a Proxy whose every
   * property (`then` included) is a path segment, so it must never be awaited itself.
   */
  private async endpoint(path: string): Promise<{ at: WxEndpoint }> {
    if (this.platformCerts) {
      const certs = { ...Object.fromEntries(this.settings.keyring), ...(await this.platformCerts.current()) };
      const serials = Object.keys(certs).sort().join(',');
      if (!this.chain || serials !== this.chainSerials) {
        this.chain = this.build(certs);
        this.chainSerials = serials;
      }
    }
    return { at: this.chain!(path) };
  }

  /**
   * Certificate mode: an answer signed by a certificate we have not downloaded yet (WeChat rolled
   * its certificate) is checked again once the list is fetched anew; the call is never repeated.
   */
  private async answerOfUnknownSerial(error: TransportError): Promise<WxAnswer | undefined> {
    const response = error.response as
      | { status?: number; data?: unknown; headers?: Record<string, string | string[] | undefined> }
      | undefined;
    if (!this.platformCerts || !response?.headers || typeof response.data !== 'string') return undefined;
    const h = signedHeadersFrom(response.headers);
    // a failed refresh leaves the original verdict (the answer is not trusted) standing
    if (!h.serial || !(await this.platformCerts.learn(h.serial).catch(() => false))) return undefined;
    const ring = keyringFrom(await this.platformCerts.current());
    if (!verifySigned(h, response.data, ring, systemClock).ok) return undefined;
    return { status: response.status ?? 200, data: response.data === '' ? '' : JSON.parse(response.data) };
  }

  /** a v3 call; non-2xx and unverifiable answers throw WechatCallError */
  async v3(method: 'get' | 'post', path: string, body?: object, config: object = {}): Promise<WxAnswer> {
    const { at: endpoint } = await this.endpoint(path);
    try {
      return method === 'get' ? await endpoint.get(config) : await endpoint.post(body, config);
    } catch (error) {
      if (isTransportError(error)) {
        if (error.code === 'EV3_RES_HEADER_PLATFORM_SERIAL') {
          const answer = await this.answerOfUnknownSerial(error);
          if (answer) return answer;
        }
        throw classifyTransportError(error);
      }
      throw error;
    }
  }

  /**
   * A v2 call; resolves with the signed answer whatever its result_code (the plugin throws on FAIL,
   * without checking the sign: we check it here). return_code FAIL is a transport refusal.
   */
  async v2(path: string, params: Record<string, string>, config: object = {}): Promise<V2Params> {
    let data: unknown;
    try {
      const { at: endpoint } = await this.endpoint(`v2/${path}`);
      data = (await endpoint.post({ mch_id: this.settings.spMchid, ...params }, config)).data;
    } catch (error) {
      const e = error as TransportError;
      if (e?.code !== 'EV2_RES_STATUS_CODE_NOT_SUCESS') {
        if (isTransportError(error)) throw classifyTransportError(error);
        throw error;
      }
      data = e.response?.data;
      const answer = (data && typeof data === 'object' ? data : {}) as V2Params;
      if (answer.return_code !== 'SUCCESS') {
        const msg = answer.return_msg ?? 'return_code FAIL';
        throw new ChannelError(
          /签名|sign|mch_id|appid/i.test(msg) ? 'config' : 'rejected',
          `WeChat v2 ${path}: ${msg}`,
          'FAIL',
        );
      }
      if (!v2Verify(answer, this.settings.apiv2Key, answer.sign?.length === 64 ? 'HMAC-SHA256' : 'MD5'))
        throw new ChannelError(
          'system_error',
          `WeChat v2 ${path}: the FAIL answer's sign does not verify`,
          answer.err_code,
        );
    }
    return (data && typeof data === 'object' ? data : {}) as V2Params;
  }
}

export interface ClientCache {
  client(config: ChannelConfig): WechatClient;
}

/** Settings and clients cached per configuration content (bounded: oldest dropped first). */
export function clientCache(timeoutMs: number, clock: Clock = systemClock, max = 200): ClientCache {
  const cache = new Map<string, WechatClient>();
  return {
    client(config) {
      const key = createHash('sha256')
        .update(JSON.stringify(Object.entries(config.fields).sort()))
        .digest('hex');
      let client = cache.get(key);
      if (!client) {
        client = new WechatClient(parseWechatpayConfig(config), timeoutMs, clock);
        cache.set(key, client);
        if (cache.size > max) cache.delete(cache.keys().next().value!);
      }
      return client;
    },
  };
}
