import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcpClient, AcpTransportError } from '../../src/channels/unionpay/client.js';
import { encodeForm, parseAcpResponse, type AcpFields } from '../../src/channels/unionpay/protocol/form.js';
import {
  buildC2bRequest,
  buildQueryRequest,
  type AcpMerchant,
} from '../../src/channels/unionpay/protocol/requests.js';
import { signAcpMessage } from '../../src/channels/unionpay/protocol/signature.js';
import { verifyUnionpayMessage } from '../../src/channels/unionpay/protocol/signer-cert.js';
import { txnTimeNow } from '../../src/channels/unionpay/protocol/txn-time.js';
import { registerUnionpaySandbox } from '../../src/sandbox/unionpay/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let sb: TestSandbox;
let merchant: AcpMerchant;
let seq = 0;

beforeAll(async () => {
  sb = await startTestSandbox([registerUnionpaySandbox]);
  const k = sb.ctx.keys.unionpay;
  merchant = { merId: k.mer_id, certId: k.cert_id, signPrivateKeyPem: k.sign_private_key };
});
afterAll(() => sb.close());

const order = () => ({
  orderId: `JPERR${Date.now()}${++seq}`,
  txnTime: txnTimeNow(sb.ctx.clock),
  txnAmt: 100,
  backUrl: 'http://127.0.0.1:9/notify',
});

/** POSTs a raw body; the answer must be a signed ACP answer the sandbox root vouches for. */
async function post(body: string, path = 'backTransReq.do'): Promise<AcpFields> {
  const res = await fetch(`${sb.url}/unionpay/gateway/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  expect(res.status).toBe(200);
  const fields = parseAcpResponse(await res.text());
  expect(
    verifyUnionpayMessage(fields, {
      roots: [sb.ctx.keys.unionpay.root_cert_pem],
      intermediates: [sb.ctx.keys.unionpay.middle_cert_pem],
    }),
  ).toEqual({
    ok: true,
  });
  return fields;
}

describe('UnionPay gateway refuses bad requests with signed ACP answers', () => {
  it('a tampered field → 11 验证签名失败', async () => {
    const fields = buildC2bRequest(merchant, order());
    const answer = await post(encodeForm({ ...fields, txnAmt: '1' }));
    expect(answer).toMatchObject({ respCode: '11', respMsg: '验证签名失败', orderId: fields.orderId });
    expect(answer.qrCode).toBeUndefined();
  });

  it('signed with another key, or a certId that is not the merchant cert → 11', async () => {
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(
      (await post(encodeForm(buildC2bRequest({ ...merchant, signPrivateKeyPem: otherKey }, order()))))
        .respCode,
    ).toBe('11');
    expect(
      (await post(encodeForm(buildC2bRequest({ ...merchant, certId: '12345' }, order())))).respCode,
    ).toBe('11');
    const noSignature = buildC2bRequest(merchant, order());
    delete noSignature.signature;
    expect((await post(encodeForm(noSignature))).respCode).toBe('13');
  });

  it('a well-signed request for another merId → 31 商户状态不正确', async () => {
    const answer = await post(
      encodeForm(buildC2bRequest({ ...merchant, merId: '777290058000000' }, order())),
    );
    expect(answer).toMatchObject({ respCode: '31', merId: '777290058000000' });
  });

  it('missing element → 13; bad formats → 10; unknown transaction → 10; garbage → 10', async () => {
    const base = buildC2bRequest(merchant, order());
    const { backUrl: _drop, ...noBackUrl } = base;
    expect((await post(encodeForm(signAcpMessage(noBackUrl, merchant.signPrivateKeyPem)))).respCode).toBe(
      '13',
    );
    for (const change of <AcpFields[]>[
      { txnAmt: '1.00' },
      { txnAmt: '0' },
      { orderId: 'has_underscore1' },
      { txnTime: '20260230120000' },
      { currencyCode: '840' },
      { version: '5.0.0' },
      { signMethod: '11' },
      { txnType: '99' },
    ]) {
      const answer = await post(
        encodeForm(signAcpMessage({ ...base, ...change }, merchant.signPrivateKeyPem)),
      );
      expect(answer.respCode, JSON.stringify(change)).toBe('10');
    }
    expect((await post('')).respCode).toBe('10');
    expect((await post('%%%&&&==')).respCode).toBe('10');
    expect((await post(`${encodeForm(base)}&txnAmt=1`)).respCode).toBe('10'); // a field twice
    expect((await post(encodeForm(buildC2bRequest(merchant, order())), 'queryTrans.do')).respCode).toBe('10'); // C2B is not a query
  });

  it("reqReserved with '&' must be wrapped in {…}: refused with 10 otherwise, echoed as is when wrapped", async () => {
    const bare = await post(encodeForm(buildC2bRequest(merchant, { ...order(), reqReserved: 'a=1&b=2' })));
    expect(bare.respCode).toBe('10');
    expect(bare.reqReserved).toBeUndefined();
    const wrapped = await post(
      encodeForm(buildC2bRequest(merchant, { ...order(), reqReserved: '{a=1&b=2}' })),
    );
    expect(wrapped).toMatchObject({ respCode: '00', reqReserved: '{a=1&b=2}' });
  });

  it('queries are answered on backTransReq.do too (yansongda posts them there)', async () => {
    const answer = await post(
      encodeForm(buildQueryRequest(merchant, { orderId: 'NOSUCH0001', txnTime: txnTimeNow(sb.ctx.clock) })),
    );
    expect(answer.respCode).toBe('34');
  });

  it('a wrong method or path is a plain 404, not a crash', async () => {
    expect((await fetch(`${sb.url}/unionpay/gateway/api/backTransReq.do`)).status).toBe(404);
    expect(
      (await fetch(`${sb.url}/unionpay/gateway/api/nothing.do`, { method: 'POST', body: 'a=b' })).status,
    ).toBe(404);
  });
});

describe('UnionPay gateway faults', () => {
  const setFault = (operation: string, mode: string, count = 1) =>
    fetch(`${sb.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ channel: 'unionpay', operation, mode, count }),
    });
  const client = () =>
    new AcpClient({
      baseUrl: `${sb.url}/unionpay/`,
      merchant,
      trust: {
        roots: [sb.ctx.keys.unionpay.root_cert_pem],
        intermediates: [sb.ctx.keys.unionpay.middle_cert_pem],
      },
      timeoutMs: 60_000, // longer than any test: a dropped connection must be the sandbox's doing
    });

  it('system_error → 06 系统繁忙 (retryable), then the same request goes through', async () => {
    expect((await setFault('c2b', 'system_error')).status).toBe(200);
    const o = order();
    const busy = await client().c2b(o);
    expect(busy.respCode).toBe('06');
    expect(busy.status).toMatchObject({ outcome: 'failed', retryable: true });
    expect((await client().c2b(o)).respCode).toBe('00'); // nothing was recorded by the busy answer
  });

  it('error_5xx → HTTP 503 (a transport error to the client), count 2 fires twice', async () => {
    await setFault('query', 'error_5xx', 2);
    const q = { orderId: 'NOSUCH0002', txnTime: txnTimeNow(sb.ctx.clock) };
    await expect(client().query(q)).rejects.toThrow(/HTTP 503/);
    await expect(client().query(q)).rejects.toBeInstanceOf(AcpTransportError);
    expect((await client().query(q)).respCode).toBe('34');
  });

  it('timeout → the request is held for 30 s of channel time, then the connection dropped', async () => {
    await setFault('refund', 'timeout');
    let settled = false;
    const dropped = client()
      .refund({ ...order(), origQryId: '1', txnAmt: 1 })
      .finally(() => (settled = true));
    await sb.held();
    await sb.advance(29_999);
    expect(settled).toBe(false); // still held
    await sb.advance(1);
    await expect(dropped).rejects.toThrow(AcpTransportError);
    expect((await client().refund({ ...order(), origQryId: '1', txnAmt: 1 })).respCode).toBe('35');
  });

  it('a fault for one operation leaves the others alone', async () => {
    expect((await setFault('b2c', 'system_error')).status).toBe(200);
    expect((await client().c2b(order())).respCode).toBe('00');
    await fetch(`${sb.url}/sandbox/faults`, { method: 'DELETE' });
  });
});
