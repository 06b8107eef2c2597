import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcpClient } from '../../src/channels/unionpay/client.js';
import { unzipSync, unzlibSync } from 'fflate';
import { ZM_MIN_LINE_BYTES, zmField } from '../../src/channels/unionpay/protocol/zm-layout.js';
import { settleDateOf, txnTimeNow } from '../../src/channels/unionpay/protocol/txn-time.js';
import { registerUnionpaySandbox } from '../../src/sandbox/unionpay/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let sb: TestSandbox;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let client: AcpClient;
/** the same merchant, pointed at the file-transfer endpoint (filedownload.95516.com in production) */
let fileClient: AcpClient;
let seq = 0;
const orderId = () => `JPC2B${Date.now()}${++seq}`;

/** the notification about `id`, once the deliveries in flight have been answered */
async function notificationFor(id: string, txnType = '01') {
  await sb.settled();
  const found = receiver.received
    .map((n) => client.parseNotification(n.body))
    .find((f) => f.orderId === id && f.txnType === txnType);
  if (!found) throw new Error(`no notification ${txnType} ${id}`);
  return found;
}

beforeAll(async () => {
  sb = await startTestSandbox([registerUnionpaySandbox]);
  receiver = await startNotifyReceiver();
  const k = sb.ctx.keys.unionpay;
  client = new AcpClient({
    baseUrl: `${sb.url}/unionpay/`,
    merchant: { merId: k.mer_id, certId: k.cert_id, signPrivateKeyPem: k.sign_private_key },
    trust: { roots: [k.root_cert_pem], intermediates: [k.middle_cert_pem] },
  });
  fileClient = new AcpClient({
    baseUrl: `${sb.url}/unionpay/filedownload/`,
    merchant: { merId: k.mer_id, certId: k.cert_id, signPrivateKeyPem: k.sign_private_key },
    trust: { roots: [k.root_cert_pem], intermediates: [k.middle_cert_pem] },
  });
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

const pay = (body: unknown) =>
  fetch(`${sb.url}/sandbox/unionpay/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('UnionPay C2B end to end (our ACP core as the client)', () => {
  it('order → customer pays → signed notification → query → partial and full refund → day file', async () => {
    const id = orderId();
    const txnTime = txnTimeNow(sb.ctx.clock);
    const created = await client.c2b({ orderId: id, txnTime, txnAmt: 1000, backUrl: receiver.url });
    expect(created.respCode).toBe('00');
    expect(created.fields.qrCode).toMatch(/^https:\/\/qr\.95516\.com\/00010000\/01\d{30}$/);
    expect(created.fields).toMatchObject({
      orderId: id,
      txnTime,
      txnAmt: '1000',
      txnType: '01',
      txnSubType: '07',
    });
    expect(created.fields.signPubKeyCert).toContain('\r\n'); // the real gateway's CRLF PEM, signed as is

    expect((await client.query({ orderId: id, txnTime })).respCode).toBe('34'); // not scanned yet

    const paid = await pay({ order_id: id });
    expect(paid.status).toBe(200);
    const paidBody = (await paid.json()) as { query_id: string; resp_code: string };
    expect(paidBody.resp_code).toBe('00');

    const note = await notificationFor(id); // parseNotification verified the chain to the sandbox root
    expect(note).toMatchObject({
      respCode: '00',
      respMsg: 'success',
      orderId: id,
      txnAmt: '1000',
      settleAmt: '1000',
      settleCurrencyCode: '156',
      queryId: paidBody.query_id,
      txnTime,
    });
    expect(note.queryId).toMatch(/^\d{21}$/);
    expect(note.traceNo).toMatch(/^\d{6}$/);
    expect(note.traceTime).toMatch(/^\d{10}$/);
    expect(note.settleDate).toBe(settleDateOf(sb.ctx.clock.now()));
    const raw = receiver.received.find((n) => n.body.includes(id))!;
    expect(raw.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(raw.body).toContain('%0D%0A');

    const queried = await client.query({ orderId: id, txnTime });
    expect(queried.respCode).toBe('00');
    expect(queried.fields).toMatchObject({ origRespCode: '00', queryId: note.queryId, txnAmt: '1000' });

    const r1 = {
      orderId: orderId(),
      txnTime: txnTimeNow(sb.ctx.clock),
      txnAmt: 300,
      origQryId: note.queryId!,
      backUrl: receiver.url,
    };
    expect((await client.refund(r1)).respCode).toBe('00');
    const refundNote = await notificationFor(r1.orderId, '04');
    expect(refundNote).toMatchObject({ respCode: '00', origQryId: note.queryId, txnAmt: '300' });
    expect((await client.query({ orderId: r1.orderId, txnTime: r1.txnTime })).fields.origRespCode).toBe('00');

    const over = await client.refund({ ...r1, orderId: orderId(), txnAmt: 701 });
    expect(over.respCode).toBe('36');
    expect((await client.refund({ ...r1, orderId: orderId(), txnAmt: 700 })).respCode).toBe('00');
    expect((await client.refund({ ...r1, orderId: orderId(), txnAmt: 1 })).respCode).toBe('36'); // fully refunded
    expect((await client.cancel({ ...r1, orderId: orderId(), txnAmt: 1000 })).respCode).toBe('35'); // refunded: no cancel

    // the gateway has no file transfer: it is the file host's
    expect((await fetch(`${sb.url}/unionpay/gateway/api/fileTransReq.do`, { method: 'POST' })).status).toBe(
      404,
    );
    const file = await fileClient.file({ txnTime: txnTimeNow(sb.ctx.clock), settleDate: note.settleDate! });
    expect(file.respCode).toBe('00');
    expect(file.fields.fileName).toBe(`${sb.ctx.keys.unionpay.mer_id}_${note.settleDate}.zip`);
    const entries = unzipSync(unzlibSync(new Uint8Array(Buffer.from(file.fields.fileContent!, 'base64'))));
    const zmName = Object.keys(entries).find((n) => n.includes(`ZM_${sb.ctx.keys.unionpay.mer_id}`));
    expect(Object.keys(entries).some((n) => n.includes('ZME_'))).toBe(true);
    const rows = Buffer.from(entries[zmName!]!)
      .toString('latin1')
      .split('\r\n')
      .filter((l) => l !== '')
      .map((l) => Buffer.from(l, 'latin1'));
    expect(rows.every((r) => r.length >= ZM_MIN_LINE_BYTES)).toBe(true);
    const mine = rows.filter(
      (r) => zmField(r, '查询流水号') === note.queryId || zmField(r, '原交易查询流水号') === note.queryId,
    );
    expect(mine.map((r) => [zmField(r, '交易类型'), Number(zmField(r, '交易金额'))])).toEqual([
      ['01', 1000],
      ['04', 300],
      ['04', 700],
    ]);
    // the channel cost of the demo pricing (0.22 %): 2 fen charged, given back 1 + 1 by the two returns
    expect(mine.map((r) => zmField(r, '商户手续费'))).toEqual([
      'D000000000002',
      'C000000000001',
      'C000000000001',
    ]);
  });

  it('cancel (消费撤销) the same day: full amount only, once', async () => {
    const id = orderId();
    const txnTime = txnTimeNow(sb.ctx.clock);
    await client.c2b({ orderId: id, txnTime, txnAmt: 500, backUrl: receiver.url });
    const created = (await client.c2b({ orderId: id, txnTime, txnAmt: 500, backUrl: receiver.url })).respCode;
    expect(created).toBe('12'); // same orderId + txnTime again: 重复交易
    const { qrCode } = (await client.query({ orderId: id, txnTime })).fields;
    expect(qrCode).toBeUndefined();
    const paid = (await (await pay({ order_id: id })).json()) as { query_id: string };
    const cancel = {
      orderId: orderId(),
      txnTime: txnTimeNow(sb.ctx.clock),
      txnAmt: 499,
      origQryId: paid.query_id,
      backUrl: receiver.url,
    };
    expect((await client.cancel(cancel)).respCode).toBe('36');
    expect((await client.cancel({ ...cancel, txnAmt: 500 })).respCode).toBe('00');
    await sb.advance(1_000); // the cancel is accepted, done (and notified) a second later
    expect((await notificationFor(cancel.orderId, '31')).origQryId).toBe(paid.query_id);
    expect((await client.cancel({ ...cancel, orderId: orderId(), txnAmt: 500 })).respCode).toBe('35');
    expect((await client.refund({ ...cancel, orderId: orderId(), txnAmt: 1 })).respCode).toBe('35');
    expect(
      (await client.refund({ ...cancel, orderId: orderId(), origQryId: '999999999999999999999' })).respCode,
    ).toBe('35');
  });

  it('the customer side: pay by qrCode, not twice, 404 for unknown, 400 without a reference, an HTML page', async () => {
    const id = orderId();
    const created = await client.c2b({
      orderId: id,
      txnTime: txnTimeNow(sb.ctx.clock),
      txnAmt: 1,
      backUrl: receiver.url,
    });
    const page = await fetch(`${sb.url}/sandbox/unionpay/pay?order_id=${id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('¥0.01');
    expect(html).toContain('action="/sandbox/unionpay/pay"');
    expect((await pay({ qr_code: created.fields.qrCode })).status).toBe(200);
    expect((await pay({ order_id: id })).status).toBe(409);
    expect((await pay({ order_id: 'NOPE0000000' })).status).toBe(404);
    const missing = await pay({});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: 'order_id' } });
    expect((await fetch(`${sb.url}/sandbox/unionpay/pay`, { method: 'POST', body: 'not json' })).status).toBe(
      400,
    );
    const viaForm = await client.c2b({
      orderId: orderId(),
      txnTime: txnTimeNow(sb.ctx.clock),
      txnAmt: 2,
      backUrl: receiver.url,
    });
    const formPay = await fetch(`${sb.url}/sandbox/unionpay/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `order_id=${encodeURIComponent(viaForm.fields.orderId!)}`,
    });
    expect(formPay.status).toBe(200);
    expect(await formPay.text()).toContain('付款成功');
    expect((await fetch(`${sb.url}/sandbox/unionpay/pay?order_id=missing00`)).status).toBe(404);
  });

  it('the day file for a day without transactions is 98 文件不存在', async () => {
    const today = settleDateOf(sb.ctx.clock.now());
    const other = today === '0229' ? '0301' : today === '1231' ? '0101' : '0229';
    const file = await fileClient.file({ txnTime: txnTimeNow(sb.ctx.clock), settleDate: other });
    expect(file.respCode).toBe('98');
    expect(file.fields.fileContent).toBeUndefined();
  });
});
