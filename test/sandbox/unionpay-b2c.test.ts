import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcpClient } from '../../src/channels/unionpay/acp-client.js';
import { txnTimeNow } from '../../src/channels/unionpay/protocol/txn-time.js';
import type { PayCodeScenario, Wallet } from '../../src/sandbox/context.js';
import { registerUnionpaySandbox } from '../../src/sandbox/unionpay/index.js';
import { startNotifyReceiver, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let sb: TestSandbox;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let client: AcpClient;
let seq = 0;

beforeAll(async () => {
  sb = await startTestSandbox([registerUnionpaySandbox]); // 10 s password entry → 10 ms
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

async function queryUntil(o: { orderId: string; txnTime: string }, origRespCode: string, timeoutMs = 3_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answer = await client.query(o);
    if (answer.fields.origRespCode === origRespCode) return answer;
    if (Date.now() > until) throw new Error(`origRespCode stayed ${answer.fields.origRespCode}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('UnionPay B2C (被扫) with sandbox payment codes', () => {
  it('unionpay payment codes are 19 digits starting 62', async () => {
    for (const scenario of ['success', 'password', 'timeout', 'insufficient_funds'] as const)
      expect(await issue('unionpay', scenario)).toMatch(/^62\d{17}$/);
  });

  it('success: 00 = accepted, then done: query says 00 and a signed notification follows', async () => {
    const o = order(await issue('unionpay', 'success'));
    const answer = await client.b2c(o);
    expect(answer.respCode).toBe('00');
    expect(answer.fields.queryId).toMatch(/^\d{21}$/);
    expect((await queryUntil(o, '00')).fields).toMatchObject({
      origRespCode: '00',
      queryId: answer.fields.queryId,
      txnSubType: '06',
    });
    const until = Date.now() + 3_000;
    while (!receiver.received.some((n) => n.body.includes(o.orderId)) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    const note = client.parseNotification(receiver.received.find((n) => n.body.includes(o.orderId))!.body);
    expect(note).toMatchObject({ respCode: '00', orderId: o.orderId, txnSubType: '06' });
  });

  it('password: 00 (accepted, 受理), query 05 until the customer has entered it, then 00', async () => {
    const o = order(await issue('unionpay', 'password'));
    const answer = await client.b2c(o);
    expect(answer.respCode).toBe('00');
    expect((await queryUntil(o, '00')).fields.queryId).toBe(answer.fields.queryId);
  });

  it('password at timeScale 20: still 05 right after, 00 once the (scaled) 10 s have passed', async () => {
    const slow = await startTestSandbox([registerUnionpaySandbox]); // 500 ms
    try {
      const slowClient = new AcpClient({ ...client['options'], baseUrl: `${slow.url}/unionpay/` });
      const code = (
        (await (
          await fetch(`${slow.url}/sandbox/paycodes`, {
            method: 'POST',
            body: JSON.stringify({ wallet: 'unionpay', scenario: 'password' }),
          })
        ).json()) as { auth_code: string }
      ).auth_code;
      const o = order(code);
      const started = Date.now();
      expect((await slowClient.b2c(o)).respCode).toBe('00'); // accepted, not paid
      expect((await slowClient.query(o)).fields.origRespCode).toBe('05');
      for (;;) {
        const state = (await slowClient.query(o)).fields.origRespCode;
        if (state === '00') break;
        expect(state).toBe('05');
        expect(Date.now() - started).toBeLessThan(3_000);
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    } finally {
      await slow.close();
    }
  });

  it('timeout: accepted (00), then the customer never confirms → 69', async () => {
    const o = order(await issue('unionpay', 'timeout'));
    expect((await client.b2c(o)).respCode).toBe('00');
    expect((await queryUntil(o, '69')).fields.origRespCode).toBe('69');
  });

  it('success at timeScale 4: accepted (00), query 05 for the (scaled) second, then 00', async () => {
    const slow = await startTestSandbox([registerUnionpaySandbox]); // 1 s → 250 ms
    try {
      const slowClient = new AcpClient({ ...client['options'], baseUrl: `${slow.url}/unionpay/` });
      const o = order(slow.ctx.paycodes.issue('unionpay', 'success'));
      expect((await slowClient.b2c(o)).respCode).toBe('00');
      expect((await slowClient.query(o)).fields.origRespCode).toBe('05');
      await new Promise((r) => setTimeout(r, 400));
      expect((await slowClient.query(o)).fields).toMatchObject({ origRespCode: '00', txnAmt: '888' });
    } finally {
      await slow.close();
    }
  });

  it('a paid payment, cancelled: the cancel is its own transaction (05, then 00); the original still reads 00', async () => {
    const slow = await startTestSandbox([registerUnionpaySandbox]); // 1 s → 250 ms
    try {
      const slowClient = new AcpClient({ ...client['options'], baseUrl: `${slow.url}/unionpay/` });
      const o = order(slow.ctx.paycodes.issue('unionpay', 'success'));
      const paid = await slowClient.b2c(o);
      await new Promise((r) => setTimeout(r, 400));
      const c = { orderId: `JPCXL${Date.now()}${++seq}`, txnTime: txnTimeNow(slow.ctx.clock) };
      const cancelled = await slowClient.cancel({
        ...c,
        txnAmt: o.txnAmt,
        origQryId: paid.fields.queryId!,
        backUrl: receiver.url,
      });
      expect(cancelled.respCode).toBe('00'); // accepted
      expect((await slowClient.query(c)).fields).toMatchObject({ origRespCode: '05', txnType: '31' });
      await new Promise((r) => setTimeout(r, 400));
      expect((await slowClient.query(c)).fields).toMatchObject({ origRespCode: '00', txnType: '31' });
      expect((await slowClient.query(o)).fields).toMatchObject({ origRespCode: '00', txnType: '01' });
    } finally {
      await slow.close();
    }
  });

  it('a pending payment can be cancelled (撤销), and then stays failed', async () => {
    // 60 s of password entry at timeScale 10 is 6 s: the cancel surely lands while it is pending.
    const slow = await startTestSandbox([registerUnionpaySandbox]);
    try {
      const slowClient = new AcpClient({ ...client['options'], baseUrl: `${slow.url}/unionpay/` });
      const issued = await fetch(`${slow.url}/sandbox/paycodes`, {
        method: 'POST',
        body: JSON.stringify({ wallet: 'unionpay', scenario: 'timeout' }),
      });
      const o = order(((await issued.json()) as { auth_code: string }).auth_code);
      const answer = await slowClient.b2c(o);
      const cancelled = await slowClient.cancel({
        orderId: `JPCXL${Date.now()}${++seq}`,
        txnTime: txnTimeNow(slow.ctx.clock),
        txnAmt: o.txnAmt,
        origQryId: answer.fields.queryId!,
        backUrl: receiver.url,
      });
      expect(cancelled.respCode).toBe('00');
      expect((await slowClient.query(o)).fields.origRespCode).toBe('01');
    } finally {
      await slow.close();
    }
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
