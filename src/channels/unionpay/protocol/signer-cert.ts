import { X509Certificate } from 'node:crypto';
import type { AcpFields } from './form.js';
import { verifyAcpSignature } from './signature.js';

/**
 * Trust in a UnionPay message comes from its own `signPubKeyCert`, so that certificate must be
 * checked first: it chains (signatures, via checkIssued + verify) through the configured
 * intermediate (acp_middle.cer) to the configured root (acp_root.cer), every certificate on the
 * way is within its validity dates (when a time is given: adapters pass their clock's now), and
 * its subject CN names UnionPay. The CN rule follows the official ACP SDKs' practice: split the
 * CN on `@`; the third field must be `中国银联股份有限公司`.
 */

export const UNIONPAY_CN_ORG = '中国银联股份有限公司';
const MAX_CHAIN = 5;

export interface AcpTrust {
  roots: readonly string[];
  intermediates?: readonly string[];
  /** when given, every certificate in the chain must be valid at this time */
  checkDatesAt?: Date;
}

export type CertCheck = { ok: true; cert: X509Certificate } | { ok: false; reason: string };

export function subjectCommonName(cert: X509Certificate): string | undefined {
  const line = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return line?.slice(3);
}

function validAt(cert: X509Certificate, at: Date): boolean {
  return new Date(cert.validFrom) <= at && at <= new Date(cert.validTo);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

function parse(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

export function checkSignerCert(certPem: string, trust: AcpTrust): CertCheck {
  const cert = parse(certPem);
  if (!cert) return { ok: false, reason: 'signPubKeyCert is not a certificate' };
  if (subjectCommonName(cert)?.split('@')[2] !== UNIONPAY_CN_ORG) {
    return { ok: false, reason: 'signPubKeyCert subject CN does not name UnionPay' };
  }
  const roots = trust.roots.map(parse).filter((c): c is X509Certificate => c !== undefined);
  const middles = (trust.intermediates ?? [])
    .map(parse)
    .filter((c): c is X509Certificate => c !== undefined && c.ca);
  const at = trust.checkDatesAt;
  let current = cert;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (at && !validAt(current, at))
      return {
        ok: false,
        reason: `certificate ${current.subject.replace(/\n/g, ', ')} is not valid at ${at.toISOString()}`,
      };
    const root = roots.find((r) => r.ca && issuedBy(current, r) && issuedBy(r, r));
    if (root) {
      if (at && !validAt(root, at))
        return { ok: false, reason: 'root certificate is not valid at that time' };
      return { ok: true, cert };
    }
    const next = middles.find((m) => m !== current && issuedBy(current, m));
    if (!next) return { ok: false, reason: 'signPubKeyCert does not chain to a trusted root' };
    current = next;
  }
  return { ok: false, reason: 'certificate chain too long' };
}

/**
 * The chain a merchant configures, checked before any message is: the root is a self-signed CA,
 * the intermediate a CA issued by that root. Dates are not checked here (a message is judged at
 * its own time); the answer names the field at fault.
 */
export function checkConfiguredChain(
  rootPem: string,
  middlePem: string,
): { ok: true; trust: AcpTrust } | { ok: false; field: 'root_cert' | 'middle_cert'; reason: string } {
  const root = parse(rootPem);
  if (!root) return { ok: false, field: 'root_cert', reason: 'is not a certificate' };
  if (!root.ca || !issuedBy(root, root))
    return { ok: false, field: 'root_cert', reason: 'is not a self-signed CA certificate (acp_root.cer)' };
  const middle = parse(middlePem);
  if (!middle) return { ok: false, field: 'middle_cert', reason: 'is not a certificate' };
  if (!middle.ca || issuedBy(middle, middle))
    return {
      ok: false,
      field: 'middle_cert',
      reason: 'is not an intermediate CA certificate (acp_middle.cer)',
    };
  if (!issuedBy(middle, root))
    return { ok: false, field: 'middle_cert', reason: 'is not issued by root_cert' };
  return { ok: true, trust: { roots: [rootPem], intermediates: [middlePem] } };
}

export type MessageCheck = { ok: true } | { ok: false; reason: string };

/** A UnionPay response or notification: signer certificate trusted, then the signature. */
export function verifyUnionpayMessage(fields: AcpFields, trust: AcpTrust): MessageCheck {
  const certPem = fields.signPubKeyCert;
  if (!certPem) return { ok: false, reason: 'no signPubKeyCert' };
  if (!fields.signature) return { ok: false, reason: 'no signature' };
  const check = checkSignerCert(certPem, trust);
  if (!check.ok) return check;
  return verifyAcpSignature(fields, check.cert)
    ? { ok: true }
    : { ok: false, reason: 'signature does not verify' };
}
