import { AlipaySdk } from 'alipay-sdk';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resultKind } from '../../src/channels/alipay/protocol/codes.js';
import { decodeForm, encodeForm } from '../../src/channels/alipay/protocol/form.js';
import { buildNotify, verifyNotify } from '../../src/channels/alipay/protocol/notify.js';
import {
  buildSignedResponse,
  extractMember,
  responseKey,
  verifyResponse,
} from '../../src/channels/alipay/protocol/response.js';
import {
  rsaVerify,
  signContent,
  signRequest,
  verifyRequest,
} from '../../src/channels/alipay/protocol/sign.js';
import { orderStatusOf, TRADE_STATUS_TABLE } from '../../src/channels/alipay/status.js';
import { alipayTime, parseAlipayTime } from '../../src/channels/alipay/protocol/time.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const app = pair();
const alipay = pair();
const sdk = new AlipaySdk({
  appId: '2021000000000001',
  privateKey: app.privatePem,
  keyType: 'PKCS8',
  alipayPublicKey: alipay.publicPem,
  gateway: 'http://127.0.0.1:1/gateway.do',
});

const textArb = fc.string({
  unit: fc.constantFrom('a', 'Z', '9', ' ', '/', '\\', '"', '&', '=', '+', '%', '中', '文', '😀', '\n'),
  maxLength: 20,
});

describe('Alipay request signing agrees with alipay-sdk', () => {
  it('sdkExecute params verify with our verifyRequest, and our sign over them equals the SDK sign', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('out_trade_no', 'subject', 'body', 'total_amount'),
          textArb.filter((s) => s !== ''),
          { minKeys: 1 },
        ),
        (biz) => {
          const query = sdk.sdkExecute(
            'alipay.trade.app.pay',
            { bizContent: biz },
            { bizContentAutoSnakeCase: false },
          );
          const params = Object.fromEntries(
            query.split('&').map((kv) => kv.split('=').map(decodeURIComponent) as [string, string]),
          );
          expect(verifyRequest(params, app.publicPem).ok).toBe(true);
          const { sign, ...unsigned } = params;
          expect(signRequest(unsigned, app.privatePem).sign).toBe(sign);
          expect(verifyRequest({ ...params, biz_content: `${params.biz_content} ` }, app.publicPem).ok).toBe(
            false,
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a pageExecute GET link carries a signature our gateway side accepts', () => {
    const link = sdk.pageExecute('alipay.trade.wap.pay', 'GET', {
      bizContent: {
        out_trade_no: 'W1',
        total_amount: '0.01',
        subject: '手机网站',
        product_code: 'QUICK_WAP_WAY',
      },
      returnUrl: 'https://m.example.com/back',
    });
    const params = Object.fromEntries(new URL(link).searchParams);
    expect(params).toMatchObject({
      method: 'alipay.trade.wap.pay',
      return_url: 'https://m.example.com/back',
      sign_type: 'RSA2',
    });
    expect(verifyRequest(params, app.publicPem).ok).toBe(true);
  });

  it('signContent drops sign and empty values and sorts by ASCII (uppercase before lowercase)', () => {
    expect(signContent({ b: '2', a: '1', B: 'x', sign: 's', empty: '', none: undefined })).toBe(
      'B=x&a=1&b=2',
    );
    expect(rsaVerify('x', 'not base64!', alipay.publicPem)).toBe(false);
    expect(rsaVerify('x', 'AAAA', alipay.publicPem, 'MD5')).toBe(false);
    expect(verifyRequest({ a: '1' }, alipay.publicPem)).toEqual({ ok: false, content: 'a=1' });
  });
});

describe('Alipay responses', () => {
  it('what we build, alipay-sdk verifies (checkResponseSign) and extracts like we do', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('code', 'msg', 'qr_code', 'out_trade_no', 'detail'),
          fc.oneof(textArb, fc.array(textArb, { maxLength: 2 })),
        ),
        (inner) => {
          const raw = buildSignedResponse(responseKey('alipay.trade.precreate'), inner, alipay.privatePem);
          const key = responseKey('alipay.trade.precreate');
          expect(sdk.getSignStr(raw, key)).toBe(extractMember(raw, key));
          expect(() =>
            sdk.checkResponseSign(raw, key, (JSON.parse(raw) as { sign: string }).sign, 't'),
          ).not.toThrow();
          expect(verifyResponse(raw, 'alipay.trade.precreate', alipay.publicPem)).toEqual({
            ok: true,
            key,
            data: inner,
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('escapes / as \\/ like Alipay, so a client that re-serialises fails verification', () => {
    const raw = buildSignedResponse(
      'alipay_trade_precreate_response',
      { qr_code: 'https://qr.alipay.com/bax1' },
      alipay.privatePem,
    );
    expect(raw).toContain('https:\\/\\/qr.alipay.com\\/bax1');
    const sign = (JSON.parse(raw) as { sign: string }).sign;
    const reserialised = JSON.stringify(
      (JSON.parse(raw) as Record<string, unknown>).alipay_trade_precreate_response,
    );
    expect(rsaVerify(reserialised, sign, alipay.publicPem)).toBe(false);
    expect(() =>
      sdk.checkResponseSign(raw.replace('bax1', 'bax2'), 'alipay_trade_precreate_response', sign, 't'),
    ).toThrow(/验签失败/);
  });

  it('falls back to error_response, ignores members after sign (cert mode), and never throws on junk', () => {
    const raw = buildSignedResponse(
      'error_response',
      { code: '40002', msg: 'Invalid Arguments' },
      alipay.privatePem,
    ).replace(/}$/, ',"alipay_cert_sn":"abc"}');
    expect(verifyResponse(raw, 'alipay.trade.query', alipay.publicPem)).toMatchObject({
      ok: true,
      key: 'error_response',
    });
    for (const junk of [
      '',
      '{',
      '{"a":',
      '{"a":{"b":"}}',
      '[1]',
      '{"a" 1}',
      'null',
      '{"alipay_trade_query_response":"x"}',
    ]) {
      expect(extractMember(junk, 'a')).toBeUndefined();
      expect(verifyResponse(junk, 'alipay.trade.query', alipay.publicPem).ok).toBe(false);
    }
  });
});

describe('Alipay notifications', () => {
  it('our built notification verifies with alipay-sdk checkNotifySign/V2 and with our verifier; a changed value does not', () => {
    const params = buildNotify(
      {
        notify_type: 'trade_status_sync',
        trade_status: 'TRADE_SUCCESS',
        total_amount: '1.00',
        subject: 'a%20b&c',
        empty: '',
      },
      alipay.privatePem,
    );
    expect(params).not.toHaveProperty('empty');
    expect(params.sign_type).toBe('RSA2');
    expect(verifyNotify(params, alipay.publicPem)).toBe(true);
    expect(sdk.checkNotifySignV2(params)).toBe(true);
    const decoded = decodeForm(encodeForm(params))!;
    expect(sdk.checkNotifySignV2(decoded)).toBe(true);
    expect(verifyNotify({ ...params, total_amount: '1.01' }, alipay.publicPem)).toBe(false);
    expect(verifyNotify({ ...params, sign: '' }, alipay.publicPem)).toBe(false);
  });
});

describe('form, time, status, result codes', () => {
  it('form encoding round-trips and bad escapes are refused, not thrown', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          textArb.filter((s) => s !== ''),
          textArb,
        ),
        (params) => {
          expect(decodeForm(encodeForm(params))).toEqual(params);
        },
      ),
    );
    expect(decodeForm('a=1+2&b=%E4%B8%AD&a=3&flag')).toEqual({ a: '1 2', b: '中', flag: '' });
    expect(decodeForm('a=%E4%B8')).toBeUndefined();
    expect(decodeForm('a=%ZZ')).toBeUndefined();
  });

  it('timestamps are China time whatever the host zone, and parse back', () => {
    expect(alipayTime(new Date('2024-01-01T04:00:00Z'))).toBe('2024-01-01 12:00:00');
    expect(alipayTime(new Date('2024-12-31T16:30:05Z'))).toBe('2025-01-01 00:30:05');
    expect(parseAlipayTime('2024-01-01 12:00:00')?.toISOString()).toBe('2024-01-01T04:00:00.000Z');
    for (const bad of ['2024-02-30 00:00:00', '2024-01-01T12:00:00', '2024-01-01 24:00:00', ''])
      expect(parseAlipayTime(bad)).toBeUndefined();
  });

  it('maps trade_status through one table; a full refund of a paid trade is not a failed order', () => {
    expect(orderStatusOf('WAIT_BUYER_PAY')).toBe('paying');
    expect(orderStatusOf('TRADE_SUCCESS')).toBe('succeeded');
    expect(orderStatusOf('TRADE_FINISHED')).toBe('succeeded');
    expect(orderStatusOf('TRADE_CLOSED')).toBe('closed');
    expect(orderStatusOf('TRADE_CLOSED', true)).toBe('refunded'); // paid, then all of it went back
    expect(orderStatusOf('PAID')).toBeUndefined();
    expect(TRADE_STATUS_TABLE.TRADE_SUCCESS.refundable).toBe(true);
    expect([resultKind('10000'), resultKind('10003'), resultKind('20000'), resultKind('40004')]).toEqual([
      'success',
      'unknown',
      'unknown',
      'failed',
    ]);
  });
});
