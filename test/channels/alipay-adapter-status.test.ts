import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  billRecordsOf,
  classifyResult,
  CODE_TABLE,
  errorOf,
  fenOf,
  notificationOf,
  paymentStatusOfTrade,
  refundStatusOfQuery,
  SUB_CODE_TABLE,
} from '../../src/channels/alipay/status.js';
import {
  ALIPAY_CONFIG_FIELDS,
  alipaySettings,
  DEFAULT_OAUTH_BASE,
} from '../../src/channels/alipay/config.js';

import { buildBillZip, parseBillZip } from '../../src/channels/alipay/protocol/bill-zip.js';
import { ChannelError } from '../../src/channels/channel.js';
import { toYuanString } from '../../src/core/money.js';
import { alipayConfigFromSandbox } from '../../src/demo/sandbox-configs.js';

const codeArb = fc.oneof(fc.constantFrom(...Object.keys(CODE_TABLE)), fc.string({ maxLength: 6 }));
const subCodeArb = fc.option(
  fc.oneof(fc.constantFrom(...Object.keys(SUB_CODE_TABLE), 'ACQ.BUYER_BALANCE_NOT_ENOUGH'), fc.string()),
  { nil: undefined },
);
const fenArb = fc.integer({ min: 1, max: 100_000_000_00 });

describe('alipay result table', () => {
  it('is total: any code/sub_code classifies, and only system errors become retryable errors', () => {
    fc.assert(
      fc.property(codeArb, subCodeArb, fc.string(), (code, sub_code, sub_msg) => {
        const cls = classifyResult({ code, sub_code, sub_msg });
        if (cls.type === 'ok' || cls.type === 'paying') return;
        const error = errorOf(cls, 'alipay.trade.query');
        expect(error).toBeInstanceOf(ChannelError);
        expect(error.retryable).toBe(cls.type === 'unknown');
        if (cls.type !== 'not_found') expect(error.channelCode).toBe(sub_code || code);
      }),
    );
  });

  it('reads the codes Alipay documents', () => {
    expect(classifyResult({ code: '10000', msg: 'Success' })).toEqual({ type: 'ok' });
    expect(classifyResult({ user_id: '2088' })).toEqual({ type: 'ok' }); // oauth.token success has no code
    expect(classifyResult({ code: '10003' })).toEqual({ type: 'paying' });
    expect(classifyResult({ code: '20000', sub_code: 'isp.unknow-error' }).type).toBe('unknown');
    expect(classifyResult({ code: '40004', sub_code: 'ACQ.SYSTEM_ERROR' }).type).toBe('unknown');
    expect(classifyResult({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' })).toEqual({ type: 'not_found' });
    expect(classifyResult({ code: '40004', sub_code: 'ACQ.TRADE_HAS_SUCCESS' }).type).toBe('wrong_state');
    expect(classifyResult({ code: '40002', sub_code: 'isv.invalid-signature' })).toMatchObject({
      type: 'refused',
      kind: 'config',
    });
    expect(classifyResult({ code: '20001', sub_code: 'aop.invalid-app-auth-token' })).toMatchObject({
      kind: 'config',
    });
    expect(
      classifyResult({ code: '40002', sub_code: 'isv.code-invalid', sub_msg: '授权码code无效' }),
    ).toEqual({
      type: 'refused',
      kind: 'rejected',
      code: 'isv.code-invalid',
      message: '授权码code无效',
    });
    expect(classifyResult({ code: '40004', sub_code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' })).toMatchObject({
      kind: 'rejected',
      code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH',
    });
  });
});

describe('alipay trade status mapping', () => {
  it('amounts round-trip from yuan text; junk is undefined, never a throw', () => {
    fc.assert(
      fc.property(fenArb, (fen) => {
        expect(fenOf(toYuanString(fen))).toBe(fen);
      }),
    );
    fc.assert(fc.property(fc.anything(), (v) => void fenOf(v)));
    expect(fenOf('1.234')).toBeUndefined();
    expect(fenOf('abc')).toBeUndefined();
  });

  it('TRADE_SUCCESS/FINISHED are paid; WAIT_BUYER_PAY pending; TRADE_CLOSED closed, or refunded (with its amount) if it was paid', () => {
    fc.assert(
      fc.property(fenArb, fc.boolean(), (fen, paidBefore) => {
        const base = { trade_no: '2026', total_amount: toYuanString(fen), buyer_user_id: 'b1' };
        const paidFields = paidBefore
          ? { send_pay_date: '2026-03-01 10:00:00', buyer_pay_amount: toYuanString(fen) }
          : {};
        for (const s of ['TRADE_SUCCESS', 'TRADE_FINISHED'])
          expect(paymentStatusOfTrade({ ...base, trade_status: s })).toMatchObject({
            state: 'succeeded',
            amount: fen,
          });
        expect(paymentStatusOfTrade({ ...base, trade_status: 'WAIT_BUYER_PAY' })).toMatchObject({
          state: 'pending',
          amount: undefined,
        });
        const closed = paymentStatusOfTrade({ ...base, ...paidFields, trade_status: 'TRADE_CLOSED' });
        // paid then refunded (a cancel or a full refund) is never read as plain "paid"
        expect(closed).toMatchObject(
          paidBefore ? { state: 'refunded', amount: fen } : { state: 'closed', amount: undefined },
        );
      }),
    );
    expect(paymentStatusOfTrade({ trade_status: 'SOMETHING_NEW' })).toBeUndefined();
    expect(
      paymentStatusOfTrade({
        trade_status: 'TRADE_SUCCESS',
        total_amount: '1.00',
        send_pay_date: '2026-03-01 10:00:00',
      })?.paidAt,
    ).toEqual(new Date('2026-03-01T02:00:00Z')); // China time
  });

  it('refund query answers: REFUND_SUCCESS, legacy refund_amount only, nothing', () => {
    expect(refundStatusOfQuery({ code: '10000', refund_status: 'REFUND_SUCCESS' }).state).toBe('succeeded');
    expect(refundStatusOfQuery({ code: '10000', refund_amount: '1.00' }).state).toBe('succeeded');
    expect(refundStatusOfQuery({ code: '10000', refund_status: 'REFUND_PROCESSING' }).state).toBe('pending');
    expect(refundStatusOfQuery({ code: '10000', out_request_no: 'r' }).state).toBe('not_found');
  });
});

describe('alipay notifications (after the signature check)', () => {
  const note = (over: Record<string, string | undefined>) => ({
    out_trade_no: 'ord_1',
    trade_no: '2026030122001',
    total_amount: '12.34',
    buyer_id: '2088000000000001',
    gmt_payment: '2026-03-01 10:00:00',
    ...over,
  });

  it('payment, refund (out_biz_no), close and a cancel-refund read as they should', () => {
    expect(notificationOf(note({ trade_status: 'TRADE_SUCCESS' }))).toEqual({
      kind: 'payment',
      outTradeNo: 'ord_1',
      status: {
        state: 'succeeded',
        channelTradeNo: '2026030122001',
        amount: 1234,
        payer: { buyer_id: '2088000000000001' },
        paidAt: new Date('2026-03-01T02:00:00Z'),
        code: 'TRADE_SUCCESS',
      },
    });
    for (const s of ['TRADE_SUCCESS', 'TRADE_CLOSED'])
      expect(
        notificationOf(note({ trade_status: s, out_biz_no: 'rfd_1', refund_fee: '1.00' })),
      ).toMatchObject({
        kind: 'refund',
        outRefundNo: 'rfd_1',
        status: { state: 'succeeded' },
      });
    expect(notificationOf(note({ trade_status: 'TRADE_CLOSED' }))).toMatchObject({
      kind: 'payment',
      status: { state: 'closed' },
    });
    expect(
      notificationOf(note({ trade_status: 'TRADE_CLOSED', out_biz_no: 'ord_1', refund_fee: '12.34' })),
    ).toMatchObject({ kind: 'payment', status: { state: 'closed', code: 'REVERSED' } });
  });

  it('refuses what it cannot read, as invalid_notification, for any input', () => {
    const bad = [
      note({ trade_status: 'NEW_STATUS' }),
      note({ trade_status: undefined }),
      note({ out_trade_no: undefined, trade_status: 'TRADE_SUCCESS' }),
      note({ trade_status: 'TRADE_SUCCESS', total_amount: 'x' }),
    ];
    for (const params of bad) expect(() => notificationOf(params)).toThrow(ChannelError);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (params) => {
        try {
          notificationOf(params);
        } catch (error) {
          expect(error).toMatchObject({ kind: 'invalid_notification' });
        }
      }),
    );
  });
});

describe('alipay bill records', () => {
  it('payments and refunds as magnitudes with their request numbers', () => {
    const rows = [
      { type: 'trade' as const, amount: 1000, refundNo: '' },
      { type: 'refund' as const, amount: -400, refundNo: 'rfd_1' },
    ].map((r, i) => ({
      tradeNo: '2026030122001000000000000001',
      outTradeNo: 'ord_1',
      type: r.type,
      subject: 's',
      createdAt: '2026-03-01 10:00:00',
      finishedAt: `2026-03-01 10:0${i}:00`,
      storeId: '',
      buyerAccount: '',
      orderAmount: r.amount,
      receivedAmount: r.amount,
      alipayDiscount: 0,
      merchantDiscount: 0,
      refundRequestNo: r.refundNo,
      serviceFee: r.type === 'trade' ? 6 : -2,
      remark: '',
    }));
    const bill = parseBillZip(
      buildBillZip({
        account: '2088000000000002',
        date: '2026-03-01',
        rows,
        exportedAt: '2026-03-02 09:00:00',
      }),
    );
    expect(billRecordsOf(bill)).toEqual([
      {
        outTradeNo: 'ord_1',
        channelTradeNo: rows[0]!.tradeNo,
        kind: 'payment',
        outRefundNo: undefined,
        amount: 1000,
        fee: 6,
        at: new Date('2026-03-01T02:00:00Z'),
      },
      {
        outTradeNo: 'ord_1',
        channelTradeNo: rows[0]!.tradeNo,
        kind: 'refund',
        outRefundNo: 'rfd_1',
        amount: 400,
        fee: 2,
        at: new Date('2026-03-01T02:01:00Z'),
      },
    ]);
  });
});

describe('alipay configuration', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePkcs1 = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const privateBare = keys.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fields = {
    gateway: 'https://openapi.alipay.com/gateway.do',
    app_id: '2021000000000001',
    app_private_key: privatePkcs1,
    alipay_public_key: publicPem,
  };

  it('normalises keys in any accepted form to PKCS#8 PEM and defaults the OAuth host', () => {
    for (const key of [privatePkcs1, privateBare]) {
      const s = alipaySettings({ channel: 'alipay', fields: { ...fields, app_private_key: key } });
      expect(s.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(s.oauthBase).toBe(DEFAULT_OAUTH_BASE);
      expect(s.sandboxBase).toBeUndefined();
    }
  });

  it('names the field at fault', () => {
    const fault = (f: Record<string, string>) => {
      try {
        alipaySettings({ channel: 'alipay', fields: f });
      } catch (error) {
        return error instanceof ChannelError && error.kind === 'config' ? error.channelCode : 'not config';
      }
      return 'accepted';
    };
    for (const name of Object.keys(ALIPAY_CONFIG_FIELDS).filter(
      (k) => ALIPAY_CONFIG_FIELDS[k as never]['required'],
    )) {
      const { [name]: _gone, ...rest } = fields as Record<string, string>;
      expect(fault(rest)).toBe(name);
      expect(fault({ ...fields, [name]: '  ' })).toBe(name);
    }
    expect(fault({ ...fields, gateway: 'ftp://x' })).toBe('gateway');
    expect(fault({ ...fields, app_private_key: 'bm90IGEga2V5' })).toBe('app_private_key');
    expect(fault({ ...fields, alipay_public_key: 'junk' })).toBe('alipay_public_key');
    expect(fault({ ...fields, oauth_base: 'nope' })).toBe('oauth_base');
    expect(ALIPAY_CONFIG_FIELDS.app_private_key.secret && ALIPAY_CONFIG_FIELDS.app_auth_token.secret).toBe(
      true,
    );
    expect(ALIPAY_CONFIG_FIELDS.alipay_public_key.secret).toBe(false);
  });

  it('sandbox credentials become a sandbox configuration', () => {
    const f = alipayConfigFromSandbox(
      {
        ...fields,
        gateway: 'http://127.0.0.1:3100/alipay/gateway.do',
        app_auth_token: 'tok12345',
        seller_id: '2088000000000002',
      },
      'http://127.0.0.1:3100/',
    );
    expect(f).toMatchObject({
      sandbox: '1',
      oauth_base: 'http://127.0.0.1:3100/alipay',
      app_auth_token: 'tok12345',
    });
    expect(f).not.toHaveProperty('isv_pid');
    const s = alipaySettings({ channel: 'alipay', fields: f });
    expect(s.sandboxBase).toBe('http://127.0.0.1:3100');
    expect(s.oauthBase).toBe('http://127.0.0.1:3100/alipay');
  });
});
