import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcpClient } from '../../src/channels/unionpay/client.js';
import { txnTimeNow } from '../../src/channels/unionpay/protocol/txn-time.js';
import type { PayCodeScenario, Wallet } from '../../src/sandbox/context.js';
import { registerUnionpaySandbox } from '../../src/sandbox/unionpay/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let sb: TestSandbox;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let client: AcpClient;
let seq = 0;

beforeAll(async () => {
  sb = await startTestSandbox([registerUnionpaySandbox]);
  receiver = await startNotifyReceiver();
  const k = sb.ctx.keys.unionpay;
  client = new AcpClient({
    baseUrl: `${sb.url}/unionpay`,
    merchant: { merId: k.mer_id, certId: k.cert_id, signPrivateKeyPem: k.sign_private_key },
    trust: { roots: [k.root_cert_pem], intermediates: [k.middle_cert_pem] },
  });
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

async function issue(wallet: Wallet, scenario: PayCodeScenario): Promise<string> {
  const res = await fetch(`${sb.url}/sandbox/paycodes`, {
    method: 'POST',
    body: JSON.stringify({ wallet, scenario }),
  });
  return ((await res.json()) as { auth_code: string }).auth_code;
}

function order(qrNo: string, txnAmt = 888) {
  return {
    orderId: `JPB2C${Date.now()}${++seq}`,
    txnTime: txnTimeNow(sb.ctx.clock),
    txnAmt,
    backUrl: receiver.url,
    qrNo,
  };
}

const origRespCode = async (o: { orderId: string; txnTime: string }) =>
  (await client.query(o)).fields.origRespCode;

describe('UnionPay B2C (被扫) with sandbox payment codes', () => {
  it('unionpay payment codes are 19 digits starting 62', async () => {
    for (const scenario of ['success', 'password', 'timeout', 'insufficient_funds'] as const)
      expect(await issue('unionpay', scenario)).toMatch(/^62\d{17}$/);
  });

  it('success: 00 = accepted, query 05 for a second, then 00 and a signed notification', async () => {
    const o = order(await issue('unionpay', 'success'));
    const answer = await client.b2c(o);
    expect(answer.respCode).toBe('00'); // accepted, not paid
    expect(answer.fields.queryId).toMatch(/^\d{21}$/);
    expect(await origRespCode(o)).toBe('05');
    const notified = () => receiver.received.filter((n) => n.body.includes(o.orderId));
    await sb.advance(999);
    expect(await origRespCode(o)).toBe('05');
    expect(notified()).toHaveLength(0);
    await sb.advance(1); // accepted → done takes 1 s
    expect(notified()).toHaveLength(1); // notified without anyone querying
    expect((await client.query(o)).fields).toMatchObject({
      origRespCode: '00',
      queryId: answer.fields.queryId,
      txnSubType: '06',
      txnAmt: '888',
    });
    const note = client.parseNotification(notified()[0]!.body);
    expect(note).toMatchObject({ respCode: '00', orderId: o.orderId, txnSubType: '06' });
  });

  it('password: 00 (accepted, 受理), query 05 until the customer has entered it (10 s), then 00', async () => {
    const o = order(await issue('unionpay', 'password'));
    const answer = await client.b2c(o);
    expect(answer.respCode).toBe('00');
    await sb.advance(9_999);
    expect(await origRespCode(o)).toBe('05');
    await sb.advance(1);
    expect((await client.query(o)).fields).toMatchObject({
      origRespCode: '00',
      queryId: answer.fields.queryId,
    });
  });

  it('timeout: accepted (00), then the customer never confirms → 69 after 60 s', async () => {
    const o = order(await issue('unionpay', 'timeout'));
    expect((await client.b2c(o)).respCode).toBe('00');
    await sb.advance(59_999);
    expect(await origRespCode(o)).toBe('05');
    await sb.advance(1);
    expect(await origRespCode(o)).toBe('69');
  });

  it('a paid payment, cancelled: the cancel is its own transaction (05, then 00); the original still reads 00', async () => {
    const o = order(sb.ctx.paycodes.issue('unionpay', 'success'));
    const paid = await client.b2c(o);
    await sb.advance(1_000);
    const c = { orderId: `JPCXL${Date.now()}${++seq}`, txnTime: txnTimeNow(sb.ctx.clock) };
    const cancelled = await client.cancel({
      ...c,
      txnAmt: o.txnAmt,
      origQryId: paid.fields.queryId!,
      backUrl: receiver.url,
    });
    expect(cancelled.respCode).toBe('00'); // accepted
    expect((await client.query(c)).fields).toMatchObject({ origRespCode: '05', txnType: '31' });
    await sb.advance(1_000);
    expect((await client.query(c)).fields).toMatchObject({ origRespCode: '00', txnType: '31' });
    expect((await client.query(o)).fields).toMatchObject({ origRespCode: '00', txnType: '01' });
  });

  it('a pending payment can be cancelled (撤销), and then stays failed', async () => {
    const o = order(await issue('unionpay', 'timeout'));
    const answer = await client.b2c(o);
    await sb.advance(30_000); // half of the customer's 60 s
    const cancelled = await client.cancel({
      orderId: `JPCXL${Date.now()}${++seq}`,
      txnTime: txnTimeNow(sb.ctx.clock),
      txnAmt: o.txnAmt,
      origQryId: answer.fields.queryId!,
      backUrl: receiver.url,
    });
    expect(cancelled.respCode).toBe('00');
    expect(await origRespCode(o)).toBe('01');
    await sb.advance(60_000); // the customer's time runs out: nothing changes any more
    expect(await origRespCode(o)).toBe('01');
  });

  it('insufficient_funds: 64 余额不足, final; query agrees', async () => {
    const o = order(await issue('unionpay', 'insufficient_funds'));
    const answer = await client.b2c(o);
    expect(answer.respCode).toBe('64');
    expect(answer.status.outcome).toBe('failed');
    expect((await client.query(o)).fields.origRespCode).toBe('64');
  });

  it('unknown, foreign-wallet and used codes: 44, nothing recorded', async () => {
    const used = await issue('unionpay', 'success');
    expect((await client.b2c(order(used))).respCode).toBe('00');
    for (const qrNo of ['6200000000000000000', await issue('wechat', 'success'), used]) {
      const o = order(qrNo);
      expect((await client.b2c(o)).respCode).toBe('44');
      expect((await client.query(o)).respCode).toBe('34');
    }
  });
});
