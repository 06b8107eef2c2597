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
 * The WeChat cashier as the given customer: follows the redirects through the sandbox's OAuth
 * (asking it for this openid) and back. In JSON mode it returns the final action; with `html` it
 * browses as WeChat's in-app browser does and returns the final page.
 */
export async function wechatCashierAs(baseUrl: string, orderId: string, openid: string): Promise<Json> {
  return browseCashier(baseUrl, orderId, openid, 'json');
}

export async function wechatCashierPageAs(
  baseUrl: string,
  orderId: string,
  openid: string,
): Promise<{ status: number; html: string }> {
  return browseCashier(baseUrl, orderId, openid, 'html');
}

async function browseCashier(baseUrl: string, orderId: string, openid: string, mode: 'json' | 'html') {
  const cookies = new Map<string, string>();
  let url = `${baseUrl}/pay/${orderId}`;
  // the sandbox lets the caller be this customer
  const asCustomer = (to: string) => {
    const next = new URL(to, url);
    if (next.origin !== new URL(baseUrl).origin) next.searchParams.set('openid', openid);
    return next.toString();
  };
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      headers: {
        'user-agent': WECHAT_UA,
        accept: mode === 'json' ? 'application/json' : 'text/html',
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = c.split(';')[0]!.split('=');
      cookies.set(k!, v!);
    }
    if (res.status >= 300 && res.status < 400) {
      url = asCustomer(res.headers.get('location')!);
      continue;
    }
    if (mode === 'html') return { status: res.status, html: await res.text() };
    const body = (await res.json()) as Json;
    if (body.action?.type === 'redirect') {
      url = asCustomer(body.action.url as string);
      continue;
    }
    return { status: res.status, ...body };
  }
  throw new Error('too many redirects');
}
