import { createRequire } from 'node:module';
import type { AlipaySdk } from 'alipay-sdk';
import type { Clock } from '../../core/clock.js';
import { ChannelError } from '../channel.js';
import type { Answer } from './status.js';
import type { AlipaySettings } from './config.js';
import { unsignedGatewayRefusal, verifyResponse } from './protocol/response.js';
import { alipayNow } from './protocol/time.js';

/**
 * The adapter's transport: alipay-sdk `exec` (OpenAPI v2) with the response signature always
 * checked, and every way a call can fail turned into a ChannelError.
 *
 * Signatures: `exec` is called with `validateSign: true`. alipay-sdk 4.14 cannot verify a signed
 * `error_response` (it only cuts out `<method>_response`), so when it reports 验签失败 the raw body
 * is verified again with our protocol core, which knows both members; only an answer that passes
 * one of the two checks is ever used. An answer without any `sign` is accepted only as the unsigned
 * `error_response` refusal Alipay sends where it cannot sign (protocol/response.ts
 * unsignedGatewayRefusal): a definite "not run", never mistaken for a transport failure.
 * Time: the SDK stamps requests in the host's time zone; `timestamp` is passed explicitly in China
 * time from the injected clock.
 */

export interface GatewayOptions {
  clock: Clock;
  timeoutMs: number;
}

export interface GatewayCall {
  biz?: Record<string, unknown> | undefined;
  /** other request parameters (grant_type, code …) */
  fields?: Record<string, string> | undefined;
  notifyUrl?: string | undefined;
  /** ISV mode: act for the merchant with its app_auth_token (not for user OAuth) */
  asMerchant?: boolean;
}

type AlipaySdkModule = typeof import('alipay-sdk');

/** alipay-sdk, except that an answer without `sign` is refused unless it is an unsigned gateway refusal */
function checkedSdkClass({ AlipaySdk, AlipayRequestError }: AlipaySdkModule) {
  return class CheckedAlipaySdk extends AlipaySdk {
    override checkResponseSign(raw: string, responseKey: string, serverSign: string, traceId: string): void {
      if (typeof serverSign === 'string' && serverSign !== '')
        return super.checkResponseSign(raw, responseKey, serverSign, traceId);
      if (unsignedGatewayRefusal(raw)) return; // exec then returns its error_response
      throw new AlipayRequestError('验签失败，the answer carries no sign', { traceId, responseDataRaw: raw });
    }
  };
}

// alipay-sdk is a large package: it loads on the first Alipay call, not with the server
let loaded: { sdk: AlipaySdkModule; Checked: ReturnType<typeof checkedSdkClass> } | undefined;
function alipaySdk(): NonNullable<typeof loaded> {
  if (!loaded) {
    const sdk = createRequire(import.meta.url)('alipay-sdk') as AlipaySdkModule;
    loaded = { sdk, Checked: checkedSdkClass(sdk) };
  }
  return loaded;
}

function sdkFor(settings: AlipaySettings, timeoutMs: number): AlipaySdk {
  return new (alipaySdk().Checked)({
    appId: settings.appId,
    privateKey: settings.privateKeyPem,
    keyType: 'PKCS8', // config.ts normalised the key to PKCS#8 PEM
    alipayPublicKey: settings.alipayPublicKeyPem,
    gateway: settings.gateway,
    timeout: timeoutMs,
    camelcase: false, // keep Alipay's snake_case field names
  });
}

function requestParams(settings: AlipaySettings, call: GatewayCall, clock: Clock): Record<string, unknown> {
  const params: Record<string, unknown> = { timestamp: alipayNow(clock), ...call.fields };
  if (call.biz) params.bizContent = call.biz;
  if (call.notifyUrl) params.notify_url = call.notifyUrl;
  if (call.asMerchant !== false && settings.appAuthToken) params.app_auth_token = settings.appAuthToken;
  return params;
}

/** errors raised before the request left: nothing reached Alipay */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** A transport failure: refused before sending is `network`; anything after (timeouts, dropped sockets) leaves the outcome unknown. */
export function transportError(error: unknown, what: string): ChannelError {
  const message = error instanceof Error ? error.message : String(error);
  if (causeCodes(error).some((c) => NOT_SENT.has(c)))
    return new ChannelError('network', `alipay ${what}: cannot reach the gateway (${message})`);
  return new ChannelError('timeout', `alipay ${what}: no answer (${message})`);
}

function recover(error: unknown, method: string, settings: AlipaySettings): Answer {
  if (!(error instanceof alipaySdk().sdk.AlipayRequestError)) {
    // e.g. a response without any `sign`: the SDK's verifier throws a TypeError
    throw new ChannelError(
      'system_error',
      `alipay ${method}: unusable answer (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (error.message.startsWith('HttpClient Request error'))
    throw transportError(error.cause ?? error, method);
  const status = /status: (\d{3})/.exec(error.message);
  if (status) {
    const code = Number(status[1]);
    if (code >= 500) throw new ChannelError('system_error', `alipay ${method}: HTTP ${code}`, `HTTP_${code}`);
    throw new ChannelError(
      'config',
      `alipay ${method}: HTTP ${code}; is the gateway URL right?`,
      `HTTP_${code}`,
    );
  }
  if (error.message.startsWith('验签失败') && error.responseDataRaw) {
    const verified = verifyResponse(error.responseDataRaw, method, settings.alipayPublicKeyPem);
    if (verified.ok) return verified.data;
    throw new ChannelError(
      'config',
      `alipay ${method}: the answer's signature does not verify (${verified.reason}); check alipay_public_key`,
      'invalid-response-signature',
    );
  }
  throw new ChannelError('system_error', `alipay ${method}: ${error.message.slice(0, 200)}`);
}

/** Calls one gateway method; resolves with the verified inner answer (success or failure codes alike). */
export async function callGateway(
  settings: AlipaySettings,
  method: string,
  call: GatewayCall,
  options: GatewayOptions,
): Promise<Answer> {
  const sdk = sdkFor(settings, options.timeoutMs);
  try {
    return (await sdk.exec(method, requestParams(settings, call, options.clock), {
      validateSign: true,
    })) as Answer;
  } catch (error) {
    return recover(error, method, settings);
  }
}

/** A signed GET link for a page method (alipay.trade.wap.pay): the browser is sent there. */
export function pageUrl(
  settings: AlipaySettings,
  method: string,
  call: GatewayCall & { returnUrl?: string | undefined },
  options: GatewayOptions,
): string {
  const params = requestParams(settings, call, options.clock);
  if (call.returnUrl) params.return_url = call.returnUrl;
  return sdkFor(settings, options.timeoutMs).pageExecute(method, 'GET', params);
}

/** Downloads a file Alipay links to (bill archives). */
export async function download(url: string, options: GatewayOptions): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (error) {
    throw transportError(error, 'bill download');
  }
  if (response.status >= 500)
    throw new ChannelError('system_error', `alipay bill download: HTTP ${response.status}`);
  if (response.status !== 200)
    throw new ChannelError(
      'rejected',
      `alipay bill download: HTTP ${response.status}`,
      `HTTP_${response.status}`,
    );
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw transportError(error, 'bill download');
  }
}
