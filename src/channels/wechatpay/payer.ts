import { ChannelError, type ChannelConfig, type PayerAuth } from '../channel.js';
import { parseWechatpayConfig, type WechatpaySettings } from './config.js';

/**
 * WeChat web OAuth (snsapi_base, silent): the customer's browser visits authorize, comes back with a
 * code, and the code is exchanged server-side for the openid under the same appid (sub_appid when the
 * merchant has one, so JSAPI orders with sub_openid; otherwise sp_appid and sp_openid).
 */

export function oauthAppId(s: WechatpaySettings): string {
  return s.subAppid ?? s.spAppid;
}

export function authorizeUrl(s: WechatpaySettings, redirectUri: string, state: string): string {
  const q = new URLSearchParams({
    appid: oauthAppId(s),
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'snsapi_base',
    state,
  });
  return `${s.oauthBase}/connect/oauth2/authorize?${q.toString()}#wechat_redirect`;
}

/** errcodes that mean the code itself is bad (expired, used, from another app): the customer retries */
const BAD_CODE = new Set([40029, 40163, 40013, 41008]);

export async function exchangeCode(
  s: WechatpaySettings,
  code: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<string> {
  if (!s.appSecret) throw new ChannelError('config', 'wechatpay config app_secret: is required for OAuth');
  if (!/^[\x21-\x7e]{1,128}$/.test(code))
    throw new ChannelError('rejected', 'the OAuth code is malformed', '40029');
  const q = new URLSearchParams({
    appid: oauthAppId(s),
    secret: s.appSecret,
    code,
    grant_type: 'authorization_code',
  });
  let res: Response;
  try {
    res = await fetchImpl(`${s.oauthApiBase}/sns/oauth2/access_token?${q.toString()}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const name = (error as Error).name;
    const kind = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
    throw new ChannelError(kind, `WeChat OAuth: ${(error as Error).message}`);
  }
  if (res.status >= 500) throw new ChannelError('system_error', `WeChat OAuth answered ${res.status}`);
  let body: Record<string, unknown>;
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    throw new ChannelError('system_error', `WeChat OAuth answered ${res.status} without JSON`);
  }
  // WeChat answers errors with HTTP 200 and an errcode
  if (typeof body.errcode === 'number' && body.errcode !== 0) {
    const kind = body.errcode === -1 ? 'system_error' : BAD_CODE.has(body.errcode) ? 'rejected' : 'config';
    throw new ChannelError(
      kind,
      `WeChat OAuth ${body.errcode}: ${String(body.errmsg ?? '')}`,
      String(body.errcode),
    );
  }
  if (typeof body.openid !== 'string' || body.openid === '')
    throw new ChannelError('system_error', 'WeChat OAuth answered without an openid');
  return body.openid;
}

export function wechatPayerAuth(fetchImpl: typeof fetch, timeoutMs: number): PayerAuth {
  return {
    authorizeUrl: (config: ChannelConfig, redirectUri: string, state: string) =>
      authorizeUrl(parseWechatpayConfig(config), redirectUri, state),
    payerId: (config: ChannelConfig, code: string) =>
      exchangeCode(parseWechatpayConfig(config), code, fetchImpl, timeoutMs),
  };
}
