import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  decryptResource,
  encryptResource,
  keyringFrom,
  parseAuthorization,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
  signRequest,
  signResponseHeaders,
  signedHeadersFrom,
  verifySigned,
} from '../../src/channels/wechatpay/protocol/index.js';
import { ManualClock } from '../../src/core/clock.js';

/** APIv3 signatures and AES-GCM resources, checked against themselves and against wechatpay-axios-plugin. */

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
const SERIAL = 'PUB_KEY_ID_0112345678902026112500000000';
const ring = keyringFrom({ [SERIAL]: publicPem });

describe('APIv3 signatures', () => {
  it('parses Authorization fields in any order and refuses other schemes or missing fields', () => {
    const header = signRequest({
      method: 'GET',
      pathAndQuery: '/v3/x?a=1',
      body: '',
      mchid: '1900000001',
      serialNo: 'ABC',
      privateKey: privatePem,
      timestamp: 1700000000,
      nonce: 'N',
    });
    const f = parseAuthorization(header)!;
    const shuffled = `WECHATPAY2-SHA256-RSA2048 signature="${f.signature}", serial_no="ABC",timestamp="1700000000",nonce_str="N",mchid="1900000001"`;
    expect(parseAuthorization(shuffled)).toEqual(f);
    expect(
      parseAuthorization(header.replace('WECHATPAY2-SHA256-RSA2048', 'WECHATPAY2-SM2-WITH-SM3')),
    ).toBeUndefined();
    expect(parseAuthorization(header.replace(/,serial_no="ABC"/, ''))).toBeUndefined();
    expect(parseAuthorization('')).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(rsaVerify(requestMessage('GET', '/v3/x?a=1', 1700000000, 'N', ''), f.signature, publicPem)).toBe(
      true,
    );
    expect(rsaVerify(requestMessage('GET', '/v3/x?a=2', 1700000000, 'N', ''), f.signature, publicPem)).toBe(
      false,
    );
  });

  it('an empty body still ends the message with its own newline', () => {
    expect(requestMessage('get', '/v3/certificates', 1, 'n', '')).toBe('GET\n/v3/certificates\n1\nn\n\n');
    expect(responseMessage(1, 'n', '')).toBe('1\nn\n\n');
  });

  it('verification is typed: probes, skew, unknown serial, garbage and missing headers never throw', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}';
    const h = signedHeadersFrom(signResponseHeaders(body, SERIAL, privatePem, 1_700_000_000));
    expect(verifySigned(h, body, ring, clock)).toEqual({ ok: true, serial: SERIAL });
    expect(verifySigned({ ...h, signature: 'WECHATPAY/SIGNTEST/abc+def' }, body, ring, clock)).toMatchObject({
      ok: false,
      reason: 'SIGNATURE_PROBE',
    });
    expect(verifySigned({ ...h, signature: '!!!not base64$$$' }, body, ring, clock)).toMatchObject({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
    expect(verifySigned({ ...h, serial: 'PUB_KEY_ID_OTHER' }, body, ring, clock)).toMatchObject({
      ok: false,
      reason: 'UNKNOWN_SERIAL',
    });
    expect(verifySigned({ ...h, nonce: undefined }, body, ring, clock)).toMatchObject({
      ok: false,
      reason: 'MISSING_HEADERS',
    });
    expect(verifySigned({ ...h, timestamp: 'abc' }, body, ring, clock)).toMatchObject({
      ok: false,
      reason: 'CLOCK_SKEW',
    });
    clock.advance(300_000);
    expect(verifySigned(h, body, ring, clock).ok).toBe(true); // exactly 300 s is still accepted
    clock.advance(1_000);
    expect(verifySigned(h, body, ring, clock)).toMatchObject({ ok: false, reason: 'CLOCK_SKEW' });
    expect(() => rsaVerify('m', 'WECHATPAY/SIGNTEST/xyz', publicPem)).not.toThrow();
  });

  it('agrees with wechatpay-axios-plugin both ways (Formatter + Rsa)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST'),
        fc.webPath(),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 1e9, max: 2e9 }),
        (method, path, body, ts) => {
          const nonce = Formatter.nonce();
          const ours = requestMessage(method, path || '/', ts, nonce, body);
          expect(ours).toBe(Formatter.request(method, path || '/', ts, nonce, body));
          expect(Rsa.verify(ours, rsaSign(ours, privatePem), Rsa.from(publicPem, Rsa.KEY_TYPE_PUBLIC))).toBe(
            true,
          );
          expect(rsaVerify(ours, Rsa.sign(ours, Rsa.from(privatePem, Rsa.KEY_TYPE_PRIVATE)), publicPem)).toBe(
            true,
          );
          expect(responseMessage(ts, nonce, body)).toBe(Formatter.response(ts, nonce, body));
        },
      ),
      { numRuns: 25 },
    );
    // the plugin's own Authorization order parses to the same fields
    const theirs = Formatter.authorization('1900000001', 'N', 'SIG=', 1700000000, 'ABC');
    expect(parseAuthorization(theirs)).toEqual({
      mchid: '1900000001',
      nonce_str: 'N',
      signature: 'SIG=',
      timestamp: '1700000000',
      serial_no: 'ABC',
    });
  });
});

describe('AEAD_AES_256_GCM resources', () => {
  it('round-trips, and Aes.AesGcm from the plugin decrypts what we encrypt (and the reverse)', () => {
    const key = randomBytes(24).toString('base64').slice(0, 32);
    const resource = encryptResource('{"trade_state":"SUCCESS","amount":{"total":1}}', key, 'transaction');
    expect(resource.nonce).toHaveLength(12);
    expect(decryptResource(resource, key)).toBe('{"trade_state":"SUCCESS","amount":{"total":1}}');
    expect(Aes.AesGcm.decrypt(resource.ciphertext, key, resource.nonce, resource.associated_data)).toBe(
      '{"trade_state":"SUCCESS","amount":{"total":1}}',
    );
    const theirs = Aes.AesGcm.encrypt('支付成功', key, 'abcdefghijkl', 'transaction');
    expect(aesGcmDecrypt(theirs, key, 'abcdefghijkl', 'transaction')).toBe('支付成功');
  });

  it('rejects a wrong key, a wrong AAD, a short ciphertext and an unknown algorithm', () => {
    const key = 'k'.repeat(32);
    const ct = aesGcmEncrypt('x', key, 'n'.repeat(12), 'a');
    expect(() => aesGcmDecrypt(ct, 'j'.repeat(32), 'n'.repeat(12), 'a')).toThrow(/authentication/);
    expect(() => aesGcmDecrypt(ct, key, 'n'.repeat(12), 'b')).toThrow(/authentication/);
    expect(() => aesGcmDecrypt('AAAA', key, 'n'.repeat(12))).toThrow(/shorter/);
    expect(() => aesGcmEncrypt('x', 'short', 'n'.repeat(12))).toThrow(/16, 24 or 32/);
    expect(() =>
      decryptResource({ algorithm: 'AEAD_SM4_GCM', ciphertext: ct, nonce: 'n'.repeat(12) }, key),
    ).toThrow(/unsupported/);
  });
});
