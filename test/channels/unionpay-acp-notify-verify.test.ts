import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from '../support/vectors.js';
import { decodeForm, encodeForm } from '../../src/channels/unionpay/protocol/form.js';
import {
  acpSignContent,
  certIdOf,
  sha256Hex,
  verifyAcpSignature,
} from '../../src/channels/unionpay/protocol/signature.js';
import {
  checkSignerCert,
  subjectCommonName,
  verifyUnionpayMessage,
  type AcpTrust,
} from '../../src/channels/unionpay/protocol/signer-cert.js';

const dir = VECTORS_DIR;

interface U2Case {
  id: string;
  inputs: { params: Record<string, string>; caChain: { intermediatePem: string; rootPem: string } };
  expected: {
    chainVerifies: boolean;
    verify: boolean;
    signContent?: string;
    sha256Hex?: string;
    signerCNOrgField?: string;
    signerCertSerialDecimal: string;
  };
}

const cases = (
  JSON.parse(readFileSync(path.join(dir, 'unionpay-acp-notify-verify.json'), 'utf8')) as {
    cases: U2Case[];
  }
).cases;
const trustOf = (c: U2Case): AcpTrust => ({
  roots: [c.inputs.caChain.rootPem],
  intermediates: [c.inputs.caChain.intermediatePem],
});

describe('UnionPay ACP notification and response verification (vector U2)', () => {
  it('has the published cases', () => {
    expect(cases.map((c) => c.id)).toEqual(['front-notify-callback', 'query-response']);
  });

  describe.each(cases)('$id', (c) => {
    const p = c.inputs.params;

    it('signed content includes signPubKeyCert with its CRLFs', () => {
      const content = acpSignContent(p, { skipEmpty: false });
      if (c.expected.signContent) expect(content).toBe(c.expected.signContent);
      if (c.expected.sha256Hex) expect(sha256Hex(content)).toBe(c.expected.sha256Hex);
      expect(content).toContain('signPubKeyCert=-----BEGIN CERTIFICATE-----\r\n');
    });

    it('verifies: chain to the CFCA TEST root, CN names UnionPay, signature good (dates not checked)', () => {
      const check = checkSignerCert(p.signPubKeyCert!, trustOf(c));
      expect(check.ok).toBe(c.expected.chainVerifies);
      const signer = new X509Certificate(p.signPubKeyCert!);
      expect(subjectCommonName(signer)?.split('@')[2]).toBe('中国银联股份有限公司');
      expect(certIdOf(signer)).toBe(c.expected.signerCertSerialDecimal);
      expect(verifyUnionpayMessage(p, trustOf(c))).toEqual({ ok: c.expected.verify });
    });

    it('survives a form round trip (CRLFs travel as %0D%0A and are decoded once)', () => {
      const body = encodeForm(p);
      expect(body).toContain('%0D%0A');
      expect(decodeForm(body)).toEqual(p);
      expect(verifyUnionpayMessage(decodeForm(body), trustOf(c)).ok).toBe(true);
    });

    it('negative twins fail: LF-normalised cert, cert left out of the content, a tampered field, double decoding', () => {
      const signer = new X509Certificate(p.signPubKeyCert!);
      expect(
        verifyAcpSignature({ ...p, signPubKeyCert: p.signPubKeyCert!.replace(/\r\n/g, '\n') }, signer),
      ).toBe(false);
      const { signPubKeyCert: _omit, ...withoutCert } = p;
      expect(verifyAcpSignature(withoutCert, signer)).toBe(false);
      expect(verifyUnionpayMessage({ ...p, txnAmt: '100' }, trustOf(c))).toEqual({
        ok: false,
        reason: 'signature does not verify',
      });
      expect(verifyUnionpayMessage({ ...p, signature: '' }, trustOf(c)).ok).toBe(false);
      // decoding twice turns the base64 '+' of accNo/signature into spaces
      const twice = decodeForm(decodeURIComponent(encodeForm(p)));
      expect(verifyUnionpayMessage(twice, trustOf(c)).ok).toBe(false);
    });

    it('untrusted: no root, the wrong root, or the intermediate missing', () => {
      expect(verifyUnionpayMessage(p, { roots: [] }).ok).toBe(false);
      expect(verifyUnionpayMessage(p, { roots: [c.inputs.caChain.rootPem] }).ok).toBe(false);
      expect(verifyUnionpayMessage(p, { roots: [c.inputs.caChain.intermediatePem] }).ok).toBe(false); // not self-signed: not a root
    });

    it('dates are checkable on request: valid when the message was sent, expired today', () => {
      expect(
        verifyUnionpayMessage(p, { ...trustOf(c), checkDatesAt: new Date('2022-09-08T05:22:06Z') }).ok,
      ).toBe(true);
      const late = verifyUnionpayMessage(p, {
        ...trustOf(c),
        checkDatesAt: new Date('2026-01-01T00:00:00Z'),
      });
      expect(late.ok).toBe(false);
    });
  });

  it('a certificate whose CN does not name UnionPay is refused even when it chains (the CFCA merchant cert)', () => {
    const sign = JSON.parse(readFileSync(path.join(dir, 'unionpay-acp-sign.json'), 'utf8')) as {
      inputs: { certificatePem: string };
    };
    const c = cases[0]!;
    const check = checkSignerCert(sign.inputs.certificatePem, trustOf(c));
    expect(check).toEqual({ ok: false, reason: 'signPubKeyCert subject CN does not name UnionPay' });
  });
});
