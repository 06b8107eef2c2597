import { TEST_ADMIN_TOKEN } from './app.js';

/** Helpers of the risk tests: the admin API over HTTP, and a WeChat payer chosen by the test. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read API JSON loosely
export type Json = any;

export async function adminCall(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token = TEST_ADMIN_TOKEN,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${baseUrl}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI';

/**
 * The WeChat cashier in JSON mode as the given customer: follows the redirects through the
 * sandbox's OAuth (asking it for this openid) and back, and returns the final action.
 */
export async function wechatCashierAs(baseUrl: string, orderId: string, openid: string): Promise<Json> {
  const cookies = new Map<string, string>();
  let url = `${baseUrl}/pay/${orderId}`;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      headers: {
        'user-agent': WECHAT_UA,
        accept: 'application/json',
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = c.split(';')[0]!.split('=');
      cookies.set(k!, v!);
    }
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).toString();
      continue;
    }
    const body = (await res.json()) as Json;
    if (body.action?.type === 'redirect') {
      const next = new URL(body.action.url as string);
      next.searchParams.set('openid', openid); // the sandbox lets the caller be this customer
      url = next.toString();
      continue;
    }
    return { status: res.status, ...body };
  }
  throw new Error('too many redirects');
}
