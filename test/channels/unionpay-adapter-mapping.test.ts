import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/channels/channel.js';
import {
  acpCancelId,
  acpOrderId,
  acpRefundId,
  acpRequestError,
  billRecordsOf,
  orderIdOfAcp,
  orderIdOfReserved,
  paidAtOf,
  paymentStateOf,
  refundIdOfAcp,
  refundStateOf,
  refundTxnTime,
  settleDateOfDay,
} from '../../src/channels/unionpay/status.js';
import { transportErrorKind } from '../../src/channels/unionpay/errors.js';
import { UNIONPAY_CONFIG_FIELDS, unionpaySettings } from '../../src/channels/unionpay/config.js';
import { formatTxnTime } from '../../src/channels/unionpay/protocol/txn-time.js';
import { idTimestampMs, newId } from '../../src/core/ids.js';
import { unionpayConfigFromSandbox } from '../../src/demo/sandbox-configs.js';

/** The UnionPay adapter's pure parts: id mapping, state tables, times, bills, configuration. */

const ACP_ORDER_ID = /^[0-9A-Za-z]{8,40}$/; // the simulator's (and ACP's) orderId rule
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2200, 0, 1) });

describe('id mapping', () => {
  it('order, refund and cancel ids are valid ACP orderIds and map back to our ids', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const order = newId('order', ms);
        const refund = newId('refund', ms);
        for (const acp of [acpOrderId(order), acpRefundId(refund), acpCancelId(order)])
          expect(acp).toMatch(ACP_ORDER_ID);
        expect(orderIdOfAcp(acpOrderId(order))).toBe(order);
        expect(orderIdOfAcp(acpCancelId(order))).toBe(order);
        expect(refundIdOfAcp(acpRefundId(refund))).toBe(refund);
        expect(acpCancelId(order)).not.toBe(acpOrderId(order));
      }),
    );
  });

  it('refuses ids that are not ours, both ways', () => {
    expect(() => acpOrderId('ord_short')).toThrow(ChannelError);
    expect(() => acpRefundId(newId('order'))).toThrow(ChannelError);
    expect(orderIdOfAcp('JPC2B17000000001')).toBeUndefined();
    expect(orderIdOfAcp(undefined)).toBeUndefined();
    expect(refundIdOfAcp('ABC')).toBeUndefined();
    expect(orderIdOfReserved(newId('refund'))).toBe('');
    expect(orderIdOfReserved(undefined)).toBe('');
  });

  it('idTimestampMs reads back the time an id was made; a refund txnTime is that instant', () => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom('order', 'refund', 'event') as fc.Arbitrary<'order' | 'refund' | 'event'>,
        (ms, kind) => {
          const id = newId(kind, ms);
          const read = idTimestampMs(kind, id)!;
          expect(read).toBeGreaterThanOrEqual(ms); // newId never goes backwards within a process
          if (kind === 'refund') expect(refundTxnTime(id)).toBe(formatTxnTime(new Date(read)));
        },
      ),
    );
    const later = Date.UTC(2300, 5, 1, 4, 0, 0) + 123; // later than every id made so far: exact
    const id = newId('refund', later);
    expect(idTimestampMs('refund', id)).toBe(later);
    expect(idTimestampMs('order', id)).toBeUndefined();
    expect(idTimestampMs('refund', 'rfd_!!')).toBeUndefined();
    expect(() => refundTxnTime('rfd_x')).toThrow(ChannelError);
  });
});

describe('state tables', () => {
  it('origRespCode → payment state; waiting is user_paying only for B2C', () => {
    expect(paymentStateOf('00', '07')).toBe('succeeded');
    expect(paymentStateOf('05', '06')).toBe('user_paying');
    expect(paymentStateOf('05', '07')).toBe('pending');
    expect(paymentStateOf('03', '06')).toBe('user_paying');
    expect(paymentStateOf('34', '07')).toBe('not_found');
    for (const code of ['01', '64', '69', '44']) expect(paymentStateOf(code, '06')).toBe('failed');
    // a missing or unknown code is no verdict on money that may have moved: ask again
    for (const code of ['ZZ', undefined]) {
      expect(paymentStateOf(code, '06')).toBe('user_paying');
      expect(paymentStateOf(code, '07')).toBe('pending');
      expect(refundStateOf(code)).toBe('pending');
    }
    expect(refundStateOf('00')).toBe('succeeded');
    expect(refundStateOf('04')).toBe('pending');
    expect(refundStateOf('34')).toBe('not_found');
    expect(refundStateOf('36')).toBe('failed');
  });

  it('request errors: 02/06 system_error, 11/31/32 config, other refusals rejected, success and unknown none', () => {
    const kind = (respCode: string) => acpRequestError({ respCode }, 'x')?.kind;
    expect(kind('06')).toBe('system_error');
    expect(kind('02')).toBe('system_error');
    expect(kind('11')).toBe('config');
    expect(kind('31')).toBe('config');
    expect(kind('32')).toBe('config');
    expect(kind('12')).toBe('rejected');
    expect(kind('64')).toBe('rejected');
    expect(kind('00')).toBeUndefined();
    expect(kind('05')).toBeUndefined();
    expect(acpRequestError({ respCode: '06' }, 'x')?.channelCode).toBe('06');
  });

  it('transport failures: unreachable is network, anything after sending is timeout', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(transportErrorKind(refused)).toBe('network');
    const dropped = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(transportErrorKind(dropped)).toBe('timeout');
    expect(transportErrorKind(new DOMException('late', 'TimeoutError'))).toBe('timeout');
  });
});

describe('times and days', () => {
  it('paidAt takes the year from txnTime, rolls over New Year, and tolerates a little clock skew', () => {
    expect(paidAtOf('20260315101500', '0315101720')).toEqual(new Date(Date.UTC(2026, 2, 15, 2, 17, 20)));
    expect(paidAtOf('20261231235900', '0101000130')).toEqual(new Date(Date.UTC(2026, 11, 31, 16, 1, 30)));
    expect(paidAtOf('20260315101500', '0315101455')).toEqual(new Date(Date.UTC(2026, 2, 15, 2, 14, 55))); // 5 s skew
    expect(paidAtOf('20260315101500', undefined)).toEqual(new Date(Date.UTC(2026, 2, 15, 2, 15, 0)));
    expect(paidAtOf(undefined, '0315101455')).toBeUndefined();
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 150 * 86_400_000 }), (created, delay) => {
        const createdAt = new Date(Math.floor(created / 1000) * 1000);
        const paid = new Date(createdAt.getTime() + Math.floor(delay / 1000) * 1000);
        expect(paidAtOf(formatTxnTime(createdAt), formatTxnTime(paid).slice(4))).toEqual(paid);
      }),
    );
  });

  it('a bill date is a real calendar day, with or without dashes', () => {
    expect(settleDateOfDay('2026-11-25')).toBe('1125');
    expect(settleDateOfDay('20260101')).toBe('0101');
    for (const bad of ['2026-02-30', '2026-13-01', 'yesterday', '2026-1-5'])
      expect(() => settleDateOfDay(bad)).toThrow(ChannelError);
  });
});

describe('bill records', () => {
  it('payments, refunds (order found through origQryId) and cancels, fee 0', () => {
    const order = newId('order', Date.UTC(2026, 0, 2));
    const refund = newId('refund', Date.UTC(2026, 0, 2));
    const row = (over: Record<string, string | number>) => ({
      queryId: 'Q1',
      orderId: acpOrderId(order),
      txnType: '01',
      txnSubType: '07',
      txnTime: '20260102100000',
      txnAmt: 1000,
      origQryId: '',
      traceNo: '100001',
      settleDate: '0102',
      ...over,
    });
    const rows = [
      row({}),
      row({
        queryId: 'Q2',
        orderId: acpRefundId(refund),
        txnType: '04',
        txnSubType: '00',
        txnAmt: 300,
        origQryId: 'Q1',
      }),
      row({
        queryId: 'Q3',
        orderId: acpCancelId(order),
        txnType: '31',
        txnSubType: '00',
        txnAmt: 700,
        origQryId: 'Q1',
      }),
      row({
        queryId: 'Q4',
        orderId: acpRefundId(newId('refund')),
        txnType: '04',
        txnSubType: '00',
        txnAmt: 5,
        origQryId: 'QOLD',
      }),
    ];
    const records = billRecordsOf({
      merId: '777290058110048',
      settleDate: '0102',
      rows,
      totals: { count: 4, consume: 1000, refund: 305, cancel: 700, net: -5 },
    });
    expect(records[0]).toEqual({
      kind: 'payment',
      outTradeNo: order,
      channelTradeNo: 'Q1',
      amount: 1000,
      fee: 0,
      at: new Date(Date.UTC(2026, 0, 2, 2)),
    });
    expect(records[1]).toMatchObject({ kind: 'refund', outTradeNo: order, outRefundNo: refund, amount: 300 });
    expect(records[2]).toMatchObject({
      kind: 'refund',
      outTradeNo: order,
      outRefundNo: undefined,
      amount: 700,
    });
    expect(records[3]).toMatchObject({ kind: 'refund', outTradeNo: '' }); // its payment was on another day
  });
});

describe('configuration', () => {
  const sandbox = unionpayConfigFromSandbox(
    {
      mer_id: '777290058110048',
      cert_id: '69629715588',
      sign_private_key: 'x',
      root_cert: 'y',
      middle_cert: 'z',
    },
    'http://127.0.0.1:3100/',
  );

  it('the sandbox configuration points at the gateway prefix and marks itself sandbox', () => {
    expect(sandbox.fields).toMatchObject({
      base_url: 'http://127.0.0.1:3100/unionpay/',
      sandbox: 'true',
      mer_id: '777290058110048',
    });
    expect(
      Object.entries(UNIONPAY_CONFIG_FIELDS)
        .filter(([, f]) => f.secret)
        .map(([n]) => n),
    ).toEqual(['sign_private_key']);
    expect(() =>
      unionpayConfigFromSandbox({ mer_id: '1', cert_id: '1', sign_private_key: 'x' }, 'http://x'),
    ).toThrow(ChannelError);
  });

  it('every missing or malformed field is a config error naming it', () => {
    const tries: Array<[Record<string, string>, RegExp]> = [
      [{ base_url: '' }, /base_url/],
      [{ base_url: 'ftp://x' }, /base_url/],
      [{ mer_id: '12' }, /mer_id/],
      [{ cert_id: 'abc' }, /cert_id/],
      [{ sign_private_key: 'not a key' }, /sign_private_key/],
    ];
    for (const [over, named] of tries) {
      const error = (() => {
        try {
          unionpaySettings({ ...sandbox, fields: { ...sandbox.fields, ...over } });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ChannelError);
      expect((error as ChannelError).kind).toBe('config');
      expect((error as ChannelError).message).toMatch(named);
    }
    expect(() => unionpaySettings({ channel: 'alipay', fields: sandbox.fields })).toThrow(/alipay/);
  });
});
