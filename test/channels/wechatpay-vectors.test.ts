import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from '../support/vectors.js';
import {
  aesGcmDecrypt,
  aesGcmDecryptBytes,
  aesGcmEncrypt,
  AeadError,
  certificateSerial,
  jsapiPayParams,
  keyringFrom,
  paySignMessage,
  parseAuthorization,
  parseNotification,
  parseTradeBill,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
  signedHeadersFrom,
  signRequest,
  summarize,
  v2Sign,
  v2SignString,
  verifySigned,
} from '../../src/channels/wechatpay/protocol/index.js';
import { fromYuanString } from '../../src/core/money.js';

const dir = VECTORS_DIR;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const vector = (name: string): any => JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));

describe('WeChat Pay published vectors', () => {
  it('W1 v2 sign: MD5 and HMAC-SHA256 over the sorted string with &key=', () => {
    const v = vector('wechat-v2-sign');
    expect(v2SignString(v.inputs.params, v.inputs.apiKey)).toBe(v.expected.stringSignTemp);
    expect(v2Sign(v.inputs.params, v.inputs.apiKey, 'MD5')).toBe(v.expected.sign.MD5);
    expect(v2Sign(v.inputs.params, v.inputs.apiKey, 'HMAC-SHA256')).toBe(v.expected.sign['HMAC-SHA256']);
    // sign and empty values are left out
    expect(v2Sign({ ...v.inputs.params, sign: 'X', attach: '' }, v.inputs.apiKey)).toBe(v.expected.sign.MD5);
  });

  it('W2 RSA-SHA256: deterministic signature, verified by the key and the certificate, wrong message fails', () => {
    const v = vector('wechat-v3-rsa-sign');
    expect(rsaSign(v.inputs.message, v.inputs.privateKeyPem)).toBe(v.expected.signature);
    expect(rsaVerify(v.inputs.message, v.expected.signature, v.inputs.publicKeyPem)).toBe(true);
    const ring = keyringFrom({ [v.inputs.certificateSerial]: v.inputs.certificatePem });
    expect(rsaVerify(v.inputs.message, v.expected.signature, ring.get(v.inputs.certificateSerial)!)).toBe(
      true,
    );
    expect(rsaVerify(v.inputs.negativeMessage, v.expected.signature, v.inputs.publicKeyPem)).toBe(false);
    expect(certificateSerial(v.inputs.certificatePem)).toBe(v.expected.certificateSerial);
  });

  it('W3 request signing: message, signature and an Authorization header that parses back', () => {
    const v = vector('wechat-v3-request-sign');
    const i = v.inputs;
    expect(requestMessage(i.method, i.url, i.timestamp, i.nonce, i.body)).toBe(v.expected.message);
    expect(rsaSign(v.expected.message, i.privateKeyPem)).toBe(v.expected.signature);
    const header = signRequest({
      method: i.method,
      pathAndQuery: i.url,
      body: i.body,
      mchid: i.mchid,
      serialNo: i.serialNo,
      privateKey: i.privateKeyPem,
      timestamp: Number(i.timestamp),
      nonce: i.nonce,
    });
    const ours = parseAuthorization(header)!;
    const theirs = parseAuthorization(v.expected.authorization)!; // documented field order differs from ours
    expect(ours).toEqual(theirs);
    expect(theirs.signature).toBe(v.expected.signature);
  });

  it('W3 JSAPI paySign', () => {
    const v = vector('wechat-v3-jsapi-paysign');
    const i = v.inputs;
    expect(paySignMessage(i.appId, i.timeStamp, i.nonceStr, i.package)).toBe(v.expected.message);
    const params = jsapiPayParams(
      i.appId,
      i.package.replace('prepay_id=', ''),
      i.privateKeyPem,
      Number(i.timeStamp),
      i.nonceStr,
    );
    expect(params.paySign).toBe(v.expected.paySign);
    expect(params.signType).toBe(v.expected.signType);
  });

  it('W4 response verification with a WeChat Pay public key (PUB_KEY_ID mode), skew check off', () => {
    const v = vector('wechat-v3-response-verify');
    const h = v.inputs.headers;
    expect(responseMessage(h['Wechatpay-Timestamp'], h['Wechatpay-Nonce'], v.inputs.body)).toBe(
      v.expected.message,
    );
    const ring = keyringFrom({ PUB_KEY_ID_0114232134912410000000000000: v.inputs.publicKeyPem });
    const headers = signedHeadersFrom({
      ...h,
      'Wechatpay-Serial': 'PUB_KEY_ID_0114232134912410000000000000',
    });
    expect(verifySigned(headers, v.inputs.body, ring, undefined)).toEqual({
      ok: true,
      serial: 'PUB_KEY_ID_0114232134912410000000000000',
    });
    expect(verifySigned(headers, `${v.inputs.body} `, ring, undefined)).toMatchObject({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
    // with the real clock the 2024 timestamp is far outside 300 s
    expect(
      verifySigned(headers, v.inputs.body, ring, { now: () => new Date(), nowMs: () => Date.now() }),
    ).toMatchObject({ ok: false, reason: 'CLOCK_SKEW' });
  });

  it('W5 notification: verify with the platform certificate by serial, decrypt with the 16-byte key', () => {
    const v = vector('wechat-v3-notify');
    const ring = keyringFrom({ [v.expected.certificateSerial]: v.inputs.certificatePem });
    const headers = signedHeadersFrom(v.inputs.headers);
    const parsed = parseNotification(headers, v.inputs.body, ring, v.inputs.apiV3Key, undefined);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.plaintext).toBe(v.expected.plaintext);
    for (const [k, value] of Object.entries(v.expected.notification))
      expect((parsed.envelope as unknown as Record<string, unknown>)[k]).toBe(value);
    // a wrong APIv3 key authenticates nothing
    expect(parseNotification(headers, v.inputs.body, ring, 'testMchAPIv3Key1', undefined)).toMatchObject({
      ok: false,
      reason: 'DECRYPT_FAILED',
    });
    // the same body under another serial is refused
    expect(
      parseNotification(
        { ...headers, serial: 'F5765756002FDD77' },
        v.inputs.body,
        ring,
        v.inputs.apiV3Key,
        undefined,
      ),
    ).toMatchObject({ ok: false, reason: 'UNKNOWN_SERIAL' });
  });

  it('W5/W6 AES-GCM: every case decrypts, encrypts back, and a flipped tag bit is rejected', () => {
    const v = vector('wechat-aes-gcm');
    expect(v.cases.length).toBeGreaterThanOrEqual(4);
    for (const c of v.cases) {
      const enc = (text: string, e: string) => Buffer.from(text, e as BufferEncoding);
      const key = enc(c.inputs.key, c.inputs.keyEncoding);
      const nonce = enc(c.inputs.nonce, c.inputs.nonceEncoding);
      const aad = enc(c.inputs.aad, c.inputs.aadEncoding);
      const plaintext = enc(c.expected.plaintext, c.inputs.plaintextEncoding);
      expect(aesGcmEncrypt(plaintext, key, nonce, aad), c.id).toBe(c.expected.ciphertext);
      expect(aesGcmDecryptBytes(c.expected.ciphertext, key, nonce, aad).equals(plaintext), c.id).toBe(true);
      if (c.inputs.plaintextEncoding === 'utf8')
        expect(aesGcmDecrypt(c.expected.ciphertext, key, nonce, aad)).toBe(c.expected.plaintext);
      const raw = Buffer.from(c.expected.ciphertext, 'base64');
      raw[raw.length - 1]! ^= 1;
      expect(() => aesGcmDecrypt(raw.toString('base64'), key, nonce, aad), c.id).toThrow(AeadError);
    }
  });

  it('W7 bill: 45 rows, summary equals the column sums, first row as published', () => {
    const v = vector('wechat-bill-ALL');
    const bill = parseTradeBill(readFileSync(path.join(dir, v.inputs.file)));
    expect(bill.rows).toHaveLength(v.expected.dataRows);
    expect(bill.summary.count).toBe(45);
    expect(summarize(bill.rows)).toEqual(bill.summary);
    expect(bill.summary.orderTotal).toBe(fromYuanString(v.expected.summary['订单总金额']));
    expect(bill.summary.refundTotal).toBe(fromYuanString(v.expected.summary['退款总金额']));
    expect(bill.summary.feeTotalMilliFen).toBe(8000); // 0.08 yuan
    const counts = bill.rows.reduce<Record<string, number>>(
      (a, r) => ({ ...a, [r.tradeState]: (a[r.tradeState] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual(v.expected.tradeStatusCounts);
    const first = bill.rows[0]!;
    expect(first.transactionId).toBe(v.expected.firstRow['微信订单号']);
    expect(first.body).toBe(v.expected.firstRow['商品名称']);
    expect(first.requestedRefund).toBe(1);
    expect(first.rateNote).toBe('');
  });

  it('keyringFrom accepts a PUB_KEY_ID public key and a certificate side by side', () => {
    const w2 = vector('wechat-v3-rsa-sign');
    const ring = keyringFrom({
      PUB_KEY_ID_1: w2.inputs.publicKeyPem,
      [w2.inputs.certificateSerial]: w2.inputs.certificatePem,
    });
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'pem' });
    expect(spki(ring.get('PUB_KEY_ID_1')!)).toBe(spki(ring.get(w2.inputs.certificateSerial)!));
  });
});
