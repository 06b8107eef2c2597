import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/channels/channel.js';
import { classifyTransportError } from '../../src/channels/wechatpay/client.js';
import { authorizeUrl } from '../../src/channels/wechatpay/payer.js';
import {
  MICROPAY_ERR_TABLE,
  micropayOutcome,
  notificationOf,
  paymentStatusOfOrderquery,
  paymentStatusOfTransaction,
  refundStatusOf,
  REFUND_STATUS_TABLE,
  TRADE_STATE_TABLE,
  v2Time,
} from '../../src/channels/wechatpay/status.js';
import { billRecordsOf } from '../../src/channels/wechatpay/bill.js';
import { createWechatpayChannel } from '../../src/channels/wechatpay/adapter.js';
import { parseWechatpayConfig, WECHATPAY_CONFIG_FIELDS } from '../../src/channels/wechatpay/config.js';
import type { TradeBillRow } from '../../src/channels/wechatpay/protocol/index.js';
import { wechatpayConfigFromSandbox } from '../../src/demo/sandbox-configs.js';

/** The adapter's pure parts: configuration parsing, status tables, error classification, bill records. */

const pem = (kind: 'private' | 'public') => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return kind === 'private'
    ? (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
    : (publicKey.export({ type: 'spki', format: 'pem' }) as string);
};
const credentials = {
  base_url: 'http://127.0.0.1:4010/wechatpay/',
  sp_mchid: '1900000001',
  sp_appid: 'wx8888888888888888',
  sub_mchid: '1900000109',
  merchant_serial: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01',
  merchant_private_key: pem('private'),
  platform_serial: 'PUB_KEY_ID_0119000000012026010100000000',
  platform_public_key: pem('public'),
  apiv3_key: 'a'.repeat(32),
  apiv2_key: 'b'.repeat(32),
};
const good = wechatpayConfigFromSandbox(credentials, 'http://127.0.0.1:4010/');

describe('wechatpay configuration', () => {
  it('the sandbox configuration parses: sandbox flag, OAuth under /wechatpay, keyring by PUB_KEY_ID', () => {
    const s = parseWechatpayConfig(good);
    expect(s).toMatchObject({
      baseUrl: 'http://127.0.0.1:4010/wechatpay/',
      oauthBase: 'http://127.0.0.1:4010/wechatpay',
      oauthApiBase: 'http://127.0.0.1:4010/wechatpay',
      sandbox: true,
      subAppid: undefined,
    });
    expect([...s.keyring.keys()]).toEqual([credentials.platform_serial]);
    const real = parseWechatpayConfig({
      ...good,
      fields: { ...good.fields, base_url: '', oauth_base: '', oauth_api_base: '', sandbox: '' },
    });
    expect(real).toMatchObject({
      baseUrl: 'https://api.mch.weixin.qq.com/',
      oauthBase: 'https://open.weixin.qq.com',
      oauthApiBase: 'https://api.weixin.qq.com',
      sandbox: false,
    });
  });

  it('every secret field is marked secret, and every required one is named when missing (property)', () => {
    expect(
      Object.entries(WECHATPAY_CONFIG_FIELDS)
        .filter(([, f]) => f.secret)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['apiv2_key', 'apiv3_key', 'app_secret', 'merchant_private_key']);
    const required = Object.entries(WECHATPAY_CONFIG_FIELDS)
      .filter(([, f]) => f.required)
      .map(([name]) => name);
    fc.assert(
      fc.property(fc.constantFrom(...required), fc.constantFrom('', '   ', undefined), (name, value) => {
        const fields: Record<string, string> = { ...good.fields };
        if (value === undefined) delete fields[name];
        else fields[name] = value;
        const error = (() => {
          try {
            parseWechatpayConfig({ channel: 'wechatpay', fields });
          } catch (e) {
            return e as ChannelError;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(ChannelError);
        expect(error!.kind).toBe('config');
        expect(error!.message).toContain(name);
        expect(error!.retryable).toBe(false);
      }),
    );
  });

  it('refuses malformed values, naming the field', () => {
    const cases: Array<[string, string]> = [
      ['sp_mchid', '19x'],
      ['sub_mchid', 'abc'],
      ['merchant_serial', 'not-hex'],
      ['merchant_private_key', 'not a pem'],
      ['apiv3_key', 'short'],
      ['apiv2_key', 'é'.repeat(32)],
      ['base_url', 'ftp://x'],
      ['oauth_base', 'not a url'],
      ['platform_public_key', 'garbage'],
      ['platform_serial', ''],
    ];
    for (const [field, value] of cases) {
      expect(
        () => parseWechatpayConfig({ ...good, fields: { ...good.fields, [field]: value } }),
        field,
      ).toThrow(field);
    }
    const { platform_public_key: _p, ...noPlatform } = good.fields;
    expect(() => parseWechatpayConfig({ channel: 'wechatpay', fields: noPlatform })).toThrow(
      /platform_public_key: is required unless platform_cert/,
    );
    expect(() => parseWechatpayConfig({ channel: 'alipay', fields: good.fields })).toThrow(ChannelError);
  });

  it('builds the OAuth authorize URL for the OAuth appid (sub_appid when set)', () => {
    const s = parseWechatpayConfig(good);
    expect(authorizeUrl(s, 'https://a.example/cb?x=1&y=2', 's&t')).toBe(
      'http://127.0.0.1:4010/wechatpay/connect/oauth2/authorize?appid=wx8888888888888888' +
        '&redirect_uri=https%3A%2F%2Fa.example%2Fcb%3Fx%3D1%26y%3D2&response_type=code&scope=snsapi_base&state=s%26t#wechat_redirect',
    );
    const sub = parseWechatpayConfig({ ...good, fields: { ...good.fields, sub_appid: 'wx1111' } });
    expect(new URL(authorizeUrl(sub, 'https://a.example/', 's')).searchParams.get('appid')).toBe('wx1111');
  });
});

describe('wechatpay status tables', () => {
  it('every documented trade_state maps as the protocol table says; an undocumented one is a retryable unknown', () => {
    for (const [state, row] of Object.entries(TRADE_STATE_TABLE)) {
      const s = paymentStatusOfTransaction({
        trade_state: state,
        transaction_id: '4200',
        amount: { total: 5 },
      });
      expect(s.state, state).toBe(row.status);
      expect(s.amount, state).toBe(row.status === 'succeeded' ? 5 : undefined);
    }
    fc.assert(
      fc.property(
        fc.string().filter((x) => !Object.hasOwn(TRADE_STATE_TABLE, x)),
        (state) => {
          expect(() => paymentStatusOfTransaction({ trade_state: state })).toThrow(ChannelError);
          try {
            paymentStatusOfTransaction({ trade_state: state });
          } catch (e) {
            expect((e as ChannelError).retryable).toBe(true);
          }
        },
      ),
    );
  });

  it('reads a paid v3 transaction: payer, amount total (not payer_total), success_time', () => {
    expect(
      paymentStatusOfTransaction({
        trade_state: 'SUCCESS',
        transaction_id: '4200000000000000000000000001',
        success_time: '2026-01-02T10:00:00+08:00',
        payer: { sp_openid: 'oSp', sub_openid: 'oSub' },
        amount: { total: 100, payer_total: 90 },
      }),
    ).toEqual({
      state: 'succeeded',
      channelTradeNo: '4200000000000000000000000001',
      amount: 100,
      payer: { openid: 'oSub', sp_openid: 'oSp', sub_openid: 'oSub' },
      paidAt: new Date('2026-01-02T02:00:00Z'),
    });
    expect(paymentStatusOfOrderquery({ trade_state: 'USERPAYING', trade_state_desc: 'x' })).toMatchObject({
      state: 'user_paying',
    });
    expect(
      paymentStatusOfOrderquery({
        trade_state: 'SUCCESS',
        total_fee: '12',
        openid: 'o1',
        time_end: '20260102100000',
      }),
    ).toMatchObject({
      state: 'succeeded',
      amount: 12,
      payer: { openid: 'o1' },
      paidAt: new Date('2026-01-02T02:00:00Z'),
    });
  });

  it('micropay err_codes: the open ones poll, customer ones fail, ours are errors; any string has an outcome (property)', () => {
    for (const c of ['USERPAYING', 'SYSTEMERROR', 'BANKERROR']) expect(micropayOutcome(c)).not.toBe('failed');
    for (const c of ['NOTENOUGH', 'AUTH_CODE_INVALID', 'AUTHCODEEXPIRE'])
      expect(micropayOutcome(c)).toBe('failed');
    expect(micropayOutcome('PARAM_ERROR')).toBe('rejected');
    expect(micropayOutcome('NOAUTH')).toBe('config');
    const outcomes = new Set(Object.values(MICROPAY_ERR_TABLE));
    fc.assert(
      fc.property(fc.string(), (code) => {
        const o = micropayOutcome(code);
        expect(outcomes.has(o) || o === 'failed').toBe(true);
      }),
    );
  });

  it('v2 time_end is Beijing time; round trip over any second (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2099, 0, 1) / 1000 }),
        (sec) => {
          const at = new Date(sec * 1000);
          const text = new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
          expect(v2Time(text)?.getTime()).toBe(at.getTime());
        },
      ),
    );
    for (const bad of [undefined, '', '2026010210', '2026-01-02', '20261302100000'])
      expect(v2Time(bad)).toBeUndefined();
  });

  it('refund statuses: the table, query answers and notifications agree; unknown ones are retryable', () => {
    expect(REFUND_STATUS_TABLE).toEqual({
      SUCCESS: 'succeeded',
      PROCESSING: 'pending',
      CLOSED: 'failed',
      ABNORMAL: 'abnormal', // the money left the merchant: never failed (refundable again)
    });
    expect(refundStatusOf({ status: 'CLOSED', refund_id: '5' })).toEqual({
      state: 'failed',
      channelRefundNo: '5',
      code: 'CLOSED',
      message: 'refund CLOSED',
    });
    expect(
      notificationOf('REFUND.ABNORMAL', { out_trade_no: 'o', out_refund_no: 'r', refund_status: 'ABNORMAL' }),
    ).toMatchObject({
      kind: 'refund',
      status: { state: 'abnormal', code: 'ABNORMAL' },
    });
    expect(
      refundStatusOf({ status: 'ABNORMAL', refund_id: '5', user_received_account: '招商银行信用卡0403' }),
    ).toEqual({
      state: 'abnormal',
      channelRefundNo: '5',
      code: 'ABNORMAL',
      message: 'refund ABNORMAL: 招商银行信用卡0403 cannot take it',
    });
    expect(() => refundStatusOf({ status: 'toString' })).toThrow(ChannelError);
    expect(notificationOf('REFUND.SUCCESS', { out_trade_no: 'o' })).toBeUndefined();
    expect(notificationOf('MARKETING.X', { out_trade_no: 'o' })).toBeUndefined();
    expect(() => refundStatusOf({ status: 'WHAT' })).toThrow(ChannelError);
  });
});

describe('wechatpay transport errors', () => {
  it('classifies by status (property): 5xx/429 retryable system_error, 401 config, other 4xx rejected', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 599 }),
        fc.option(fc.constantFrom('PARAM_ERROR', 'SIGN_ERROR', 'ORDER_PAID')),
        (status, code) => {
          const e = classifyTransportError({
            response: { status, data: code ? { code, message: 'm' } : 'html' },
          });
          if (status >= 500 || status === 429) expect(e.kind).toBe('system_error');
          else if (status === 401) expect(e.kind).toBe('config');
          else expect(e.kind).toBe('rejected');
          expect(e.retryable).toBe(status >= 500 || status === 429);
          expect(e.httpStatus).toBe(status);
          if (code && status !== 401 && status < 500 && status !== 429) expect(e.channelCode).toBe(code);
        },
      ),
    );
    expect(classifyTransportError({ response: { status: 400, data: { code: 'SYSTEM_ERROR' } } }).kind).toBe(
      'system_error',
    );
  });

  it('no answer: dropped or slow → timeout; never connected → network; unverifiable answers → config', () => {
    for (const code of ['ECONNABORTED', 'ETIMEDOUT', 'ECONNRESET'])
      expect(classifyTransportError({ code }).kind).toBe('timeout');
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])
      expect(classifyTransportError({ code }).kind).toBe('network');
    for (const code of [
      'EV3_RES_HEADER_SIGNATURE_DIGEST',
      'EV3_RES_HEADER_PLATFORM_SERIAL',
      'EV2_RES_SIGNATURE_NOT_EQUAL',
    ])
      expect(classifyTransportError({ code, response: { status: 200, data: {} } }).kind).toBe('config');
  });
});

describe('wechatpay bills and acks', () => {
  const row = (over: Partial<TradeBillRow>): TradeBillRow => ({
    tradeTime: '2026-01-02 10:00:00',
    appId: 'wx',
    mchId: '1',
    subMchId: '2',
    deviceInfo: '',
    transactionId: '4200000000000000000000000001',
    outTradeNo: 'ord_1',
    openid: 'o',
    tradeType: 'NATIVE',
    tradeState: 'SUCCESS',
    bankType: 'OTHERS',
    currency: 'CNY',
    settlementTotal: 100,
    coupon: 0,
    refundId: '0',
    outRefundNo: '0',
    refund: 0,
    couponRefund: 0,
    refundType: '',
    refundStatus: '',
    body: 'x',
    attach: '',
    feeMilliFen: 600,
    rate: '0.60%',
    total: 100,
    requestedRefund: 0,
    rateNote: '',
    ...over,
  });

  it('rows become records: Beijing times, fees rounded half away from zero to fen, refunds positive', () => {
    expect(
      billRecordsOf([
        row({ feeMilliFen: 1500 }),
        row({ tradeState: 'REFUND', outRefundNo: 'rfd_1', refund: 40, total: 0, feeMilliFen: -1500 }),
      ]),
    ).toEqual([
      {
        outTradeNo: 'ord_1',
        channelTradeNo: '4200000000000000000000000001',
        kind: 'payment',
        amount: 100,
        fee: 2,
        at: new Date('2026-01-02T02:00:00Z'),
      },
      {
        outTradeNo: 'ord_1',
        channelTradeNo: '4200000000000000000000000001',
        kind: 'refund',
        outRefundNo: 'rfd_1',
        amount: 40,
        fee: -2,
        at: new Date('2026-01-02T02:00:00Z'),
      },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (milli) => {
        const [r] = billRecordsOf([row({ feeMilliFen: milli })]);
        expect(Math.abs(r!.fee * 1000 - milli)).toBeLessThanOrEqual(500);
        expect(Object.is(r!.fee, -0)).toBe(false);
      }),
    );
  });

  it('acks the WeChat way: 204 empty when accepted, a FAIL body with a non-2xx status otherwise', () => {
    const channel = createWechatpayChannel();
    expect(channel.ack(true)).toEqual({ status: 204, contentType: 'text/plain', body: '' });
    const refused = channel.ack(false);
    expect(refused.status).toBe(500);
    expect(JSON.parse(refused.body)).toEqual({ code: 'FAIL', message: '失败' });
    expect(channel.payWays).toEqual(['wechat_jsapi', 'wechat_native', 'wechat_micropay']);
  });
});
