import { beforeAll, describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/channels/alipay/protocol/form.js';
import { verifyResponse } from '../../src/channels/alipay/protocol/response.js';
import { signRequest } from '../../src/channels/alipay/protocol/sign.js';
import { alipayNow } from '../../src/channels/alipay/protocol/time.js';
import { ManualClock } from '../../src/core/clock.js';
import type { SandboxContext } from '../../src/sandbox/context.js';
import { useAlipaySandbox } from '../support/alipay-sandbox.js';

// a sandbox on a manual clock: bill days and the 30 s link lifetime are clock time
const clock = new ManualClock(Date.parse('2026-03-01T02:00:00Z')); // 10:00 China time
const alipay = useAlipaySandbox({ clock });
const { post } = alipay;
let url: string;
let ctx: SandboxContext;
const ok = { validateSign: true } as const;

beforeAll(() => {
  url = alipay.sandbox.url;
  ctx = alipay.sandbox.ctx;
});

describe('Alipay user OAuth (auth_base) and alipay.system.oauth.token', () => {
  const authorize = (q: Record<string, string>) =>
    fetch(`${url}/alipay/oauth2/publicAppAuthorize.htm?${new URLSearchParams(q)}`, { redirect: 'manual' });

  it('redirects back with auth_code and state; the code gives user_id/open_id once', async () => {
    const res = await authorize({
      app_id: ctx.keys.alipay.app_id,
      scope: 'auth_base',
      redirect_uri: 'https://cashier.example.com/cb?x=1',
      state: 's1',
      buyer_id: '2088000000000777',
    });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('https://cashier.example.com/cb');
    expect(back.searchParams.get('x')).toBe('1');
    expect(back.searchParams.get('state')).toBe('s1');
    const code = back.searchParams.get('auth_code')!;
    const token = await alipay.sdk.exec(
      'alipay.system.oauth.token',
      { grantType: 'authorization_code', code },
      ok,
    );
    expect(token).toMatchObject({ userId: '2088000000000777' });
    expect(token.openId).toMatch(/^0\S{40,}$/);
    expect(token).not.toHaveProperty('code'); // Alipay answers this one without code/msg
    // a used code: error_response. alipay-sdk cannot check the signature of an error_response (its
    // getSignStr only looks for <method>_response), so it is checked here with our core on the raw body
    expect(
      await alipay.sdk.exec('alipay.system.oauth.token', { grantType: 'authorization_code', code }),
    ).toMatchObject({ code: '40002', subCode: 'isv.code-invalid' });
    await expect(
      alipay.sdk.exec('alipay.system.oauth.token', { grantType: 'authorization_code', code }, ok),
    ).rejects.toThrow(/验签失败/);
    const keys = ctx.keys.alipay;
    const body = encodeForm(
      signRequest(
        {
          app_id: keys.app_id,
          method: 'alipay.system.oauth.token',
          charset: 'utf-8',
          sign_type: 'RSA2',
          timestamp: alipayNow(clock),
          version: '1.0',
          grant_type: 'authorization_code',
          code,
        },
        keys.app_private_key,
      ),
    );
    const raw = await (
      await fetch(`${url}/alipay/gateway.do`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
    ).text();
    expect(verifyResponse(raw, 'alipay.system.oauth.token', keys.alipay_public_key)).toMatchObject({
      ok: true,
      key: 'error_response',
      data: { sub_code: 'isv.code-invalid' },
    });
  });

  it('refuses a wrong app_id, scope or redirect_uri with an error page', async () => {
    const base = {
      app_id: ctx.keys.alipay.app_id,
      scope: 'auth_base',
      redirect_uri: 'https://x.example.com/',
    };
    expect((await authorize({ ...base, app_id: '2021000000000000' })).status).toBe(400);
    expect((await authorize({ ...base, scope: 'all' })).status).toBe(400);
    expect((await authorize({ ...base, redirect_uri: 'javascript:alert(1)' })).status).toBe(400);
  });
});

describe('Alipay wap pay (pageExecute) and the HTML cashier', () => {
  it('GET link → cashier page → pay → signed return to return_url, trade paid', async () => {
    const link = alipay.sdk.pageExecute('alipay.trade.wap.pay', 'GET', {
      bizContent: {
        out_trade_no: 'W1',
        total_amount: '3.21',
        subject: '手机网站<b>',
        product_code: 'QUICK_WAP_WAY',
      },
      returnUrl: 'https://shop.example.com/return',
    });
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('3.21');
    expect(html).not.toContain('<b>'); // escaped
    const tradeNo = /name="trade_no" value="(\d+)"/.exec(html)![1]!;
    const done = await fetch(`${url}/sandbox/alipay/cashier`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ trade_no: tradeNo, buyer_id: 'wap-buyer', action: 'pay' }).toString(),
    });
    expect(done.status).toBe(302);
    const back = new URL(done.headers.get('location')!);
    const params = Object.fromEntries(back.searchParams);
    expect(params).toMatchObject({
      method: 'alipay.trade.wap.pay.return',
      out_trade_no: 'W1',
      trade_no: tradeNo,
      total_amount: '3.21',
    });
    expect(alipay.sdk.checkNotifySignV2(params)).toBe(true);
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'W1' } }, ok)).tradeStatus,
    ).toBe('TRADE_SUCCESS');
  });

  it('the POST form variant works too; a bad signature shows an error page', async () => {
    const form = alipay.sdk.pageExecute('alipay.trade.wap.pay', 'POST', {
      bizContent: { out_trade_no: 'W2', total_amount: '1.00', subject: 's' },
    });
    const action = /action="([^"]+)"/.exec(form)![1]!;
    const fields = Object.fromEntries(
      [...form.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!.replaceAll('&quot;', '"'),
      ]),
    );
    const page = await fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="trade_no"');
    const tampered = await fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...fields,
        biz_content: fields.biz_content!.replace('1.00', '0.01'),
      }).toString(),
    });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('isv.invalid-signature');
  });

  it('the QR demo page pays a precreated code; cancel leaves it unpaid; junk is a 400 page', async () => {
    const pre = await alipay.sdk.exec(
      'alipay.trade.precreate',
      { bizContent: { out_trade_no: 'Q1', total_amount: '0.50', subject: 'qr' } },
      ok,
    );
    const page = await fetch(
      `${url}/sandbox/alipay/cashier?qr_code=${encodeURIComponent(pre.qrCode as string)}`,
    );
    expect(await page.text()).toContain('0.50');
    const submit = (action: string) =>
      fetch(`${url}/sandbox/alipay/cashier`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ qr_code: pre.qrCode as string, buyer_id: 'qr-buyer', action }).toString(),
      });
    expect((await submit('cancel')).status).toBe(200);
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'Q1' } }, ok)).subCode,
    ).toBe('ACQ.TRADE_NOT_EXIST');
    expect(await (await submit('pay')).text()).toContain('支付成功');
    expect(
      (await alipay.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'Q1' } }, ok)).tradeStatus,
    ).toBe('TRADE_SUCCESS');
    expect((await submit('steal')).status).toBe(400);
    expect((await fetch(`${url}/sandbox/alipay/cashier?trade_no=404`)).status).toBe(404);
    expect(
      (await post('/sandbox/alipay/scan', { qr_code: 'https://qr.alipay.com/baxnope', buyer_id: 'b' }))
        .status,
    ).toBe(404);
    expect((await post('/sandbox/alipay/scan', { qr_code: pre.qrCode, buyer_id: '' })).status).toBe(400);
    expect((await fetch(`${url}/sandbox/alipay/pay`, { method: 'POST', body: 'not json' })).status).toBe(400);
  });
});
