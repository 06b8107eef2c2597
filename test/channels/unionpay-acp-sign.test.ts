import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from '../support/vectors.js';
import {
  acpSignContent,
  certIdOf,
  sha256Hex,
  signAcpContent,
  signAcpMessage,
  verifyAcpSignature,
} from '../../src/channels/unionpay/protocol/signature.js';

const dir = VECTORS_DIR;

interface U1 {
  inputs: { privateKeyPem: string; certificatePem: string; params: Record<string, string> };
  expected: { signContent: string; sha256Hex: string; signature: string; certId: string };
}

describe('UnionPay ACP request signing (vector U1)', () => {
  const load = () => JSON.parse(readFileSync(path.join(dir, 'unionpay-acp-sign.json'), 'utf8')) as U1;

  it('builds the sorted content without signature and without empty fields', () => {
    const { inputs, expected } = load();
    expect(inputs.params.signature).toBe(''); // the vector carries an empty signature: it must not be signed
    expect(acpSignContent(inputs.params)).toBe(expected.signContent);
    expect(sha256Hex(expected.signContent)).toBe(expected.sha256Hex);
  });

  it('signs the hex digest string and gets the published signature', () => {
    const { inputs, expected } = load();
    expect(signAcpContent(acpSignContent(inputs.params), inputs.privateKeyPem)).toBe(expected.signature);
    const signed = signAcpMessage(inputs.params, inputs.privateKeyPem);
    expect(signed.signature).toBe(expected.signature);
    expect(verifyAcpSignature(signed, new X509Certificate(inputs.certificatePem))).toBe(true);
  });

  it('certId is the certificate serial in decimal', () => {
    const { inputs, expected } = load();
    expect(certIdOf(inputs.certificatePem)).toBe(expected.certId);
    expect(certIdOf(inputs.certificatePem)).toBe('69903319369');
  });

  it('a changed field or the raw SHA-256 (no hex step) does not give the published signature', () => {
    const { inputs, expected } = load();
    expect(signAcpContent(acpSignContent({ ...inputs.params, txnAmt: '2' }), inputs.privateKeyPem)).not.toBe(
      expected.signature,
    );
    const cert = new X509Certificate(inputs.certificatePem);
    expect(verifyAcpSignature({ ...inputs.params, txnAmt: '2', signature: expected.signature }, cert)).toBe(
      false,
    );
    expect(verifyAcpSignature({ ...inputs.params, signature: expected.signature }, cert)).toBe(true);
  });
});
