import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Formatter, Hash, Transformer } from 'wechatpay-axios-plugin';
import {
  BillFormatError,
  buildTradeBill,
  decodeV2Xml,
  encodeV2Xml,
  parseTradeBill,
  summarize,
  v2Sign,
  v2Verify,
  type TradeBillRow,
} from '../../src/channels/wechatpay/protocol/index.js';
import { statusOfTradeState, TRADE_STATE_TABLE } from '../../src/channels/wechatpay/status.js';

/** APIv2 XML and signatures, the trade bill codec, and the trade_state table. */

describe('APIv2 XML and signatures', () => {
  const apiKey = '192006250b4c09247ec02edce69f6a2d';

  it('XML round-trips, incl. characters that need CDATA splitting; the plugin reads ours and we read the plugin', () => {
    const params = { appid: 'wx1', body: 'a<b>&"c"]]>d', total_fee: '1', empty: '' };
    expect(decodeV2Xml(encodeV2Xml(params))).toEqual(params);
    expect(Transformer.toObject(encodeV2Xml(params))).toMatchObject({ appid: 'wx1', body: 'a<b>&"c"]]>d' });
    const theirs = Transformer.toXml.call(
      { method: 'post' } as never,
      { appid: 'wx1', total_fee: '1', body: 'x&y' } as never,
    ) as unknown as string;
    expect(decodeV2Xml(theirs)).toEqual({ appid: 'wx1', total_fee: '1', body: 'x&y' });
  });

  it('refuses what is not a flat <xml> document', () => {
    for (const bad of [
      '',
      'hello',
      '<root><a>1</a></root>',
      '<xml><a><b>1</b></a></xml>',
      '<xml><a>1</a><a>2</a></xml>',
      '<!DOCTYPE xml [<!ENTITY x "y">]><xml><a>&x;</a></xml>',
      '<xml><a>1</a',
    ]) {
      expect(decodeV2Xml(bad), bad).toBeUndefined();
    }
  });

  it('signs like the plugin Hash.sign and verifies case-insensitively; tampering fails', () => {
    fc.assert(
      fc.property(
        // WeChat parameter names; `__proto__` is no parameter and JS objects treat it specially
        fc.dictionary(
          fc.stringMatching(/^[a-z_]{1,10}$/).filter((k) => k !== '__proto__'),
          fc.string({ maxLength: 20 }),
          { maxKeys: 8 },
        ),
        (raw) => {
          const params: Record<string, string> = { ...raw, nonce_str: 'n' };
          for (const type of ['MD5', 'HMAC-SHA256'] as const) {
            const sign = v2Sign(params, apiKey, type);
            expect(sign).toBe(Hash.sign(type, params, Hash.keyObjectFrom(apiKey) as never));
            expect(v2Verify({ ...params, sign: sign.toLowerCase() }, apiKey, type)).toBe(true);
            expect(v2Verify({ ...params, nonce_str: 'm', sign }, apiKey, type)).toBe(false);
          }
        },
      ),
      { numRuns: 30 },
    );
    expect(v2Verify({ a: '1' }, apiKey)).toBe(false); // no sign at all
  });
});

describe('trade bill', () => {
  const row = (over: Partial<TradeBillRow>): TradeBillRow => ({
    tradeTime: '2026-11-25 10:00:00',
    appId: 'wx1',
    mchId: '1600000001',
    subMchId: '1600000002',
    deviceInfo: '',
    transactionId: '4200000000000000000000000001',
    outTradeNo: 'T1',
    openid: 'o1',
    tradeType: 'JSAPI',
    tradeState: 'SUCCESS',
    bankType: 'OTHERS',
    currency: 'CNY',
    settlementTotal: 1234,
    coupon: 0,
    refundId: '0',
    outRefundNo: '0',
    refund: 0,
    couponRefund: 0,
    refundType: '',
    refundStatus: '',
    body: '商品',
    attach: '',
    feeMilliFen: 7000,
    rate: '0.60%',
    total: 1234,
    requestedRefund: 0,
    rateNote: '',
    ...over,
  });

  it('build → parse is the identity, with Java-style summary numbers', () => {
    const rows = [
      row({}),
      row({
        outTradeNo: 'T2',
        tradeState: 'REFUND',
        settlementTotal: 0,
        total: 0,
        refund: 34,
        requestedRefund: 34,
        refundId: '5001',
        outRefundNo: 'R1',
        refundType: 'ORIGINAL',
        refundStatus: 'SUCCESS',
        feeMilliFen: 0,
      }),
    ];
    const csv = buildTradeBill(rows);
    expect(csv.startsWith('\ufeff交易时间,')).toBe(true);
    expect(csv.endsWith('\r\n`2.0,`12.34,`0.34,`0.0,`0.07,`12.34,`0.34\r\n')).toBe(true);
    const parsed = parseTradeBill(csv);
    expect(parsed.rows).toEqual(rows);
    expect(parsed.summary).toEqual(summarize(rows));
    // the plugin's own CSV reader sees the same cells
    const theirs = Formatter.castCsvBill(Buffer.from(csv, 'utf8')) as {
      rows: Array<Record<string, string>>;
      summary: Record<string, string>;
    };
    expect(theirs.rows[0]!['商户订单号']).toBe('T1');
    expect(theirs.summary['应结订单总金额']).toBe('12.34');
  });

  it('a field with a comma or backtick cannot break the layout', () => {
    const parsed = parseTradeBill(buildTradeBill([row({ body: 'a,`b\r\nc' })]));
    expect(parsed.rows[0]!.body).toBe('a  b  c');
  });

  it('refuses malformed bills with BillFormatError', () => {
    const good = buildTradeBill([row({})]);
    expect(() => parseTradeBill('')).toThrow(BillFormatError);
    expect(() => parseTradeBill(good.replace('交易时间', '时间'))).toThrow(BillFormatError);
    expect(() => parseTradeBill(good.replace('`12.34,`0.00,`0,', '`12.345,`0.00,`0,'))).toThrow(
      BillFormatError,
    );
    expect(() => parseTradeBill(good.replace('`JSAPI,', 'JSAPI,'))).toThrow(BillFormatError);
  });
});

describe('trade_state table', () => {
  it('maps every documented state and leaves unknown ones undefined', () => {
    expect(Object.keys(TRADE_STATE_TABLE).sort()).toEqual([
      'CLOSED',
      'NOTPAY',
      'PAYERROR',
      'REFUND',
      'REVOKED',
      'SUCCESS',
      'USERPAYING',
    ]);
    expect(statusOfTradeState('SUCCESS')).toBe('succeeded');
    expect(statusOfTradeState('USERPAYING')).toBe('user_paying');
    expect(statusOfTradeState('REFUND')).toBe('succeeded'); // a refund does not undo the payment
    expect(statusOfTradeState('NOTPAY')).toBe('pending');
    expect(statusOfTradeState('REVOKED')).toBe('closed');
    expect(statusOfTradeState('ACCEPT')).toBeUndefined();
    expect(statusOfTradeState('__proto__')).toBeUndefined();
  });
});
