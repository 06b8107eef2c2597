import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import {
  AcpFormatError,
  decodeForm,
  encodeAcpResponse,
  encodeForm,
  parseAcpResponse,
} from '../../src/channels/unionpay/protocol/form.js';
import {
  buildReconCsv,
  packFileContent,
  parseReconCsv,
  ReconFileError,
  unpackFileContent,
  type ReconRow,
} from '../../src/channels/unionpay/protocol/recon-file.js';
import {
  ACP_TXN,
  buildB2cRequest,
  buildC2bRequest,
  buildCancelRequest,
  buildFileRequest,
  buildQueryRequest,
  buildRefundRequest,
  operationOf,
  type AcpMerchant,
} from '../../src/channels/unionpay/protocol/requests.js';
import { classifyRespCode } from '../../src/channels/unionpay/status.js';
import { signAcpMessage, verifyAcpSignature } from '../../src/channels/unionpay/protocol/signature.js';
import {
  formatTxnTime,
  parseTxnTime,
  settleDateOf,
  traceTimeOf,
  txnTimeNow,
} from '../../src/channels/unionpay/protocol/txn-time.js';
import type { UnionpaySandboxKeys } from '../../src/sandbox/keys.js';
import { testSandboxKeys } from '../support/sandbox.js';

describe('ACP form codecs', () => {
  it('form encode/decode round-trips any values, decoding exactly once', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,12}$/), fc.string({ unit: 'grapheme' })),
        (fields) => {
          expect(decodeForm(encodeForm(fields))).toEqual(fields);
        },
      ),
    );
    expect(decodeForm('a=%2541&b=x+y')).toEqual({ a: '%41', b: 'x y' }); // once: %2541 → %41, not A
  });

  it('refuses a key sent twice', () => {
    expect(() => decodeForm('txnAmt=1&txnAmt=100')).toThrow(AcpFormatError);
  });

  it('raw gateway answers are not percent-decoded, and {…} keeps its & inside the value', () => {
    const text =
      'respCode=00&reqReserved={a=1&b=2}&signature=ab+c/d==&qrCode=https://qr.95516.com/00010000/01x';
    expect(parseAcpResponse(text)).toEqual({
      respCode: '00',
      reqReserved: '{a=1&b=2}',
      signature: 'ab+c/d==',
      qrCode: 'https://qr.95516.com/00010000/01x',
    });
    expect(parseAcpResponse(encodeAcpResponse({ x: '{a=1&b=2}', y: 'p%20q' }))).toEqual({
      x: '{a=1&b=2}',
      y: 'p%20q',
    });
    expect(() => encodeAcpResponse({ x: 'a&b' })).toThrow(AcpFormatError);
    expect(() => parseAcpResponse('novalue')).toThrow(AcpFormatError);
    expect(() => parseAcpResponse('a={unclosed&b=1')).toThrow(AcpFormatError);
    expect(() => parseAcpResponse('a=1&a=2')).toThrow(AcpFormatError);
    expect(parseAcpResponse('')).toEqual({});
  });
});

describe('ACP times are Beijing time', () => {
  it('formats txnTime, traceTime and settleDate in GMT+8 from the injected clock', () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 31, 16, 30, 5)); // 2027-01-01 00:30:05 in Beijing
    expect(txnTimeNow(clock)).toBe('20270101003005');
    expect(traceTimeOf(clock.now())).toBe('0101003005');
    expect(settleDateOf(clock.now())).toBe('0101');
  });

  it('parses back exactly, and refuses impossible times', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }), (ms) => {
        const at = new Date(Math.floor(ms / 1000) * 1000);
        expect(parseTxnTime(formatTxnTime(at))?.getTime()).toBe(at.getTime());
      }),
    );
    for (const bad of [
      '20260230120000',
      '20261301120000',
      '20260101240000',
      '2026010112000',
      '2026-01-01 12:00',
      '',
    ])
      expect(parseTxnTime(bad)).toBeUndefined();
  });
});

describe('respCode table', () => {
  it('00 success; 03/04/05 unknown; 34 not found; 06 retryable failure; the rest fail', () => {
    expect(classifyRespCode('00').outcome).toBe('success');
    for (const code of ['03', '04', '05']) expect(classifyRespCode(code).outcome).toBe('unknown');
    expect(classifyRespCode('34').outcome).toBe('not_found');
    expect(classifyRespCode('06')).toMatchObject({ outcome: 'failed', retryable: true });
    for (const code of ['01', '11', '12', '31', '35', '36', '44', '64', '69', 'ZZ', undefined])
      expect(classifyRespCode(code).outcome).toBe('failed');
  });
});

describe('request builders', () => {
  let keys: UnionpaySandboxKeys;
  let m: AcpMerchant;
  beforeAll(async () => {
    keys = (await testSandboxKeys()).unionpay;
    m = { merId: keys.mer_id, certId: keys.cert_id, signPrivateKeyPem: keys.sign_private_key };
  });
  const order = {
    orderId: 'JP20260101000001',
    txnTime: '20260101083000',
    txnAmt: 1234,
    backUrl: 'https://merchant.example/up/notify',
  };

  it('each builder sets its txnType/txnSubType and a signature the merchant cert verifies', () => {
    const built = {
      c2b: buildC2bRequest(m, order),
      b2c: buildB2cRequest(m, { ...order, qrNo: '6221234567890123456' }),
      query: buildQueryRequest(m, order),
      cancel: buildCancelRequest(m, { ...order, origQryId: '782209081322060674028' }),
      refund: buildRefundRequest(m, { ...order, origQryId: '782209081322060674028' }),
      file: buildFileRequest(m, { txnTime: order.txnTime, settleDate: '0101' }),
    };
    for (const [op, fields] of Object.entries(built)) {
      expect(operationOf(fields.txnType, fields.txnSubType)).toBe(op);
      expect(fields).toMatchObject({
        version: '5.1.0',
        signMethod: '01',
        certId: keys.cert_id,
        merId: keys.mer_id,
        bizType: '000000',
        accessType: '0',
        ...ACP_TXN[op as keyof typeof ACP_TXN],
      });
      expect(verifyAcpSignature(fields, keys.sign_cert_pem)).toBe(true);
      expect(Object.values(fields)).not.toContain(''); // empty reqReserved is dropped, not signed
    }
    expect(built.c2b).toMatchObject({
      txnAmt: '1234',
      currencyCode: '156',
      channelType: '08',
      backUrl: order.backUrl,
    });
    expect(built.b2c.qrNo).toBe('6221234567890123456');
    expect(built.refund.origQryId).toBe('782209081322060674028');
    expect(verifyAcpSignature({ ...built.c2b, txnAmt: '1' }, keys.sign_cert_pem)).toBe(false);
    expect(verifyAcpSignature(built.c2b, keys.unionpay_cert_pem)).toBe(false);
  });

  it('any message signed with the merchant key verifies with its cert, and not after any change', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,10}$/), fc.string({ minLength: 1, unit: 'grapheme' }), {
          minKeys: 1,
        }),
        (fields) => {
          fc.pre(Object.keys(fields).some((k) => k !== 'signature'));
          const signed = signAcpMessage(fields, keys.sign_private_key);
          expect(verifyAcpSignature(signed, keys.sign_cert_pem)).toBe(true);
          const key = Object.keys(signed).find((k) => k !== 'signature')!;
          expect(verifyAcpSignature({ ...signed, [key]: `${signed[key]}x` }, keys.sign_cert_pem)).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses amounts that are not positive integers of fen', () => {
    for (const txnAmt of [0, -1, 1.5, Number.NaN])
      expect(() => buildC2bRequest(m, { ...order, txnAmt })).toThrow(RangeError);
  });
});

describe('the day transaction file (our CSV inside ACP fileContent)', () => {
  const rows: ReconRow[] = [
    {
      queryId: '112601010830000000011',
      orderId: 'A0000001',
      txnType: '01',
      txnSubType: '07',
      txnTime: '20260101083000',
      txnAmt: 1000,
      origQryId: '',
      traceNo: '000001',
      settleDate: '0101',
    },
    {
      queryId: '112601010830000000021',
      orderId: 'A0000002',
      txnType: '04',
      txnSubType: '00',
      txnTime: '20260101083100',
      txnAmt: 300,
      origQryId: '112601010830000000011',
      traceNo: '000002',
      settleDate: '0101',
    },
    {
      queryId: '112601010830000000031',
      orderId: 'A0000003',
      txnType: '01',
      txnSubType: '06',
      txnTime: '20260101083200',
      txnAmt: 50,
      origQryId: '',
      traceNo: '000003',
      settleDate: '0101',
    },
    {
      queryId: '112601010830000000041',
      orderId: 'A0000004',
      txnType: '31',
      txnSubType: '00',
      txnTime: '20260101083300',
      txnAmt: 50,
      origQryId: '112601010830000000031',
      traceNo: '000004',
      settleDate: '0101',
    },
  ];

  it('builds, packs (zip, zlib, base64), unpacks and parses with totals equal to the rows', () => {
    const csv = buildReconCsv('777290058123456', '0101', rows);
    const files = unpackFileContent(packFileContent({ 'f.csv': csv }));
    const parsed = parseReconCsv(files['f.csv']!);
    expect(parsed.rows).toEqual(rows);
    expect(parsed.totals).toEqual({ count: 4, consume: 1050, refund: 300, cancel: 50, net: 700 });
    expect(parsed).toMatchObject({ merId: '777290058123456', settleDate: '0101' });
  });

  it('refuses a file whose total does not add up, a bad amount, or garbage', () => {
    const csv = buildReconCsv('777290058123456', '0101', rows);
    expect(() => parseReconCsv(csv.replace(',1000,', ',1001,'))).toThrow(/total line/);
    expect(() => parseReconCsv(csv.replace(',300,', ',3.00,'))).toThrow(ReconFileError);
    expect(() => parseReconCsv('hello')).toThrow(ReconFileError);
    expect(() => buildReconCsv('1', '0101', [{ ...rows[0]!, orderId: 'a,b' }])).toThrow(ReconFileError);
    expect(() => unpackFileContent('bm90IGRlZmxhdGVk')).toThrow(ReconFileError);
  });
});
