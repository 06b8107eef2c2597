import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from '../support/vectors.js';
import {
  notifySignContent,
  verifyNotify,
  verifyNotifyAs,
} from '../../src/channels/alipay/protocol/notify.js';
import { extractMember, verifyResponse } from '../../src/channels/alipay/protocol/response.js';
import { rsa2Sign, rsaVerify, signContent, signRequest } from '../../src/channels/alipay/protocol/sign.js';

const dir = VECTORS_DIR;

interface Case {
  id: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
}
const load = (file: string) =>
  JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    cases?: Case[];
    inputs?: Record<string, unknown>;
    expected?: Record<string, unknown>;
  };

describe('Alipay published vectors', () => {
  describe('A1 alipay-notify-verify', () => {
    const cases = load('alipay-notify-verify.json').cases!;
    it('has the positive and negative cases', () => {
      expect(cases.length).toBeGreaterThanOrEqual(4);
      expect(cases.some((c) => c.expected.verify === false)).toBe(true);
    });
    for (const c of cases) {
      it(`${c.id}: content and verify = ${String(c.expected.verify)}`, () => {
        const params = c.inputs.params as Record<string, string>;
        const exclude = c.inputs.excludeKeys as string[];
        const variant = exclude.includes('sign_type') ? 'trade' : 'keep_sign_type';
        if (c.expected.signContent !== undefined)
          expect(notifySignContent(params, variant)).toBe(c.expected.signContent);
        expect(signContent(params, exclude)).toBe(notifySignContent(params, variant));
        const key = c.inputs.publicKeyPem as string;
        expect(verifyNotifyAs(params, key, variant)).toBe(c.expected.verify);
        if (typeof c.inputs.publicKeyBase64 === 'string') {
          expect(verifyNotifyAs(params, c.inputs.publicKeyBase64, variant)).toBe(c.expected.verify); // bare console key
        }
      });
    }
    it('the merchant-side verifyNotify accepts both real notifications and rejects the tampered one', () => {
      for (const c of cases) {
        const params = c.inputs.params as Record<string, string>;
        const genuine = !c.id.includes('tampered');
        expect(verifyNotify(params, c.inputs.publicKeyPem as string), c.id).toBe(genuine);
      }
    });
    it('a changed amount no longer verifies', () => {
      const c = cases.find((x) => x.expected.verify === true)!;
      const params = { ...(c.inputs.params as Record<string, string>) };
      const k = 'total_amount' in params ? 'total_amount' : Object.keys(params).find((x) => x !== 'sign')!;
      params[k] = `${params[k]}0`;
      expect(verifyNotify(params, c.inputs.publicKeyPem as string)).toBe(false);
    });
  });

  describe('A2 alipay-response-signstr', () => {
    const cases = load('alipay-response-signstr.json').cases!;
    for (const c of cases) {
      it(`${c.id}: extracts the exact signed text`, () => {
        expect(extractMember(c.inputs.raw as string, c.inputs.responseKey as string)).toBe(
          c.expected.signStr,
        );
      });
    }
    it('verifies the real response with the fixture key, and not a re-serialised or tampered one', () => {
      const c = cases.find((x) => x.expected.verify === true)!;
      const raw = c.inputs.raw as string;
      const key = c.inputs.publicKeyPem as string;
      const method = (c.inputs.responseKey as string).replace(/_response$/, '').replaceAll('_', '.');
      const verified = verifyResponse(raw, method, key);
      expect(verified).toMatchObject({ ok: true, key: c.inputs.responseKey, data: { code: '10000' } });
      expect(verifyResponse(raw.replace('"10000"', '"10001"'), method, key)).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
      expect(verifyResponse(raw.slice(0, -3), method, key)).toEqual({ ok: false, reason: 'malformed' });
      expect(verifyResponse(raw, 'alipay.trade.query', key)).toEqual({
        ok: false,
        reason: 'no_response_member',
      });
    });
    it('the image-upload sample only matches raw extraction: re-serialising drops the \\/ escapes', () => {
      const c = cases.find((x) => x.id === 'extract-normal')!;
      const raw = c.inputs.raw as string;
      const reserialised = JSON.stringify(
        (JSON.parse(raw) as Record<string, unknown>)[c.inputs.responseKey as string],
      );
      expect(reserialised).not.toBe(c.expected.signStr);
    });
  });

  describe('A3 alipay-rsa2-sign', () => {
    const v = load('alipay-rsa2-sign.json');
    const inputs = v.inputs as {
      params: Record<string, string>;
      privateKeyPem: string;
      privateKeyPkcs8Pem: string;
      publicKeyPem: string;
    };
    it('builds the canonical content and the expected signature (PKCS#1 and PKCS#8 keys)', () => {
      expect(signContent(inputs.params)).toBe(v.expected!.signContent);
      expect(rsa2Sign(signContent(inputs.params), inputs.privateKeyPem)).toBe(v.expected!.sign);
      expect(signRequest(inputs.params, inputs.privateKeyPkcs8Pem).sign).toBe(v.expected!.sign);
      expect(
        rsaVerify(v.expected!.signContent as string, v.expected!.sign as string, inputs.publicKeyPem),
      ).toBe(true);
    });
    it('empty values are left out, sign is never signed, and a changed param breaks it', () => {
      const signed = signRequest({ ...inputs.params, notify_url: '', sign: 'old' }, inputs.privateKeyPem);
      expect(signed.sign).toBe(v.expected!.sign);
      expect(signed).not.toHaveProperty('notify_url');
      const other = signContent({ ...inputs.params, version: '1.1' });
      expect(rsaVerify(other, v.expected!.sign as string, inputs.publicKeyPem)).toBe(false);
    });
  });
});
