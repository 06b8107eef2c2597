import { randomBytes, randomInt, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxKeys } from './keys.js';

/** Generates the sandbox channels' keys and certificates once per data folder. */

type X509 = typeof import('@peculiar/x509');

// @peculiar/x509 (and the Reflect polyfill it needs) loads only when keys are generated, which a
// data folder does once: a warm start reads the stored keys without it
let x509Module: Promise<X509> | undefined;
function loadX509(): Promise<X509> {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })();
  return x509Module;
}

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const YEAR_MS = 365 * 24 * 3600 * 1000;
/**
 * Valid from well before "now": a data folder's keys outlive many runs, and tests move a manual
 * clock freely. Adapters check the UnionPay chain's dates against their clock.
 */
const NOT_BEFORE_MS = 5 * YEAR_MS;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

interface RsaPair {
  keys: CryptoKeyPair;
  privatePem: string;
  publicPem: string;
}

async function rsaPair(): Promise<RsaPair> {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  return {
    keys,
    privatePem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    publicPem: pem('PUBLIC KEY', await webcrypto.subtle.exportKey('spki', keys.publicKey)),
  };
}

async function certificate(
  subject: string,
  serialHex: string,
  pair: RsaPair,
  issuer: { name: string; pair: RsaPair },
  ca = false,
) {
  const now = Date.now();
  const x509 = await loadX509();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex,
    subject,
    issuer: issuer.name,
    notBefore: new Date(now - NOT_BEFORE_MS),
    notAfter: new Date(now + 10 * YEAR_MS),
    signingAlgorithm: RSA,
    publicKey: pair.keys.publicKey,
    signingKey: issuer.pair.keys.privateKey,
    extensions: ca ? [new x509.BasicConstraintsExtension(true, undefined, true)] : [],
  });
  return cert.toString('pem');
}

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');
const hex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();
const ascii32 = () => randomBytes(24).toString('base64').replace(/[+/=]/g, 'x').slice(0, 32);
/** a positive certificate serial (top bit clear) as hex */
const serialHex = (bytes: number) =>
  `${randomInt(0x10, 0x80).toString(16)}${randomBytes(bytes - 1).toString('hex')}`.toUpperCase();

export async function generateSandboxKeys(): Promise<SandboxKeys> {
  const [root, wxMerchant, wxPlatform, aliApp, alipay, upMerchant, upOwn, upMiddle] = await Promise.all(
    Array.from({ length: 8 }, () => rsaPair()),
  );
  const rootName = 'CN=JuhePay Sandbox Root CA,O=JuhePay Sandbox';
  const rootIssuer = { name: rootName, pair: root! };
  const rootCert = await certificate(rootName, serialHex(8), root!, rootIssuer, true);
  // UnionPay signs with a certificate issued by an intermediate (acp_middle.cer) under the root
  // (acp_root.cer), as the real one does (CFCA … OCA1 under the CFCA root)
  const middleName = 'CN=JuhePay Sandbox UnionPay OCA1,O=JuhePay Sandbox';
  const middleCert = await certificate(middleName, serialHex(8), upMiddle!, rootIssuer, true);
  const middleIssuer = { name: middleName, pair: upMiddle! };
  const platformSerial = serialHex(20);
  const upSignSerial = serialHex(5);
  return {
    wechatpay: {
      sp_mchid: `16${digits(8)}`,
      sp_appid: `wx${randomBytes(8).toString('hex')}`,
      sub_mchid: `16${digits(8)}`,
      sub_appid: `wx${randomBytes(8).toString('hex')}`,
      merchant_serial: hex(20),
      merchant_private_key: wxMerchant!.privatePem,
      merchant_public_key: wxMerchant!.publicPem,
      platform_public_key_id: `PUB_KEY_ID_01${digits(10)}${digits(10)}`,
      platform_private_key: wxPlatform!.privatePem,
      platform_public_key: wxPlatform!.publicPem,
      platform_cert_serial: platformSerial,
      platform_cert_pem: await certificate(
        'CN=Tenpay.com Root CA Sandbox,O=Tenpay.com',
        platformSerial,
        wxPlatform!,
        rootIssuer,
      ),
      apiv3_key: ascii32(),
      apiv2_key: ascii32(),
    },
    alipay: {
      app_id: `2021${digits(12)}`,
      app_private_key: aliApp!.privatePem,
      app_public_key: aliApp!.publicPem,
      alipay_private_key: alipay!.privatePem,
      alipay_public_key: alipay!.publicPem,
      app_auth_token: `202611BB${hex(16)}`,
      seller_id: `2088${digits(12)}`,
      isv_pid: `2088${digits(12)}`,
    },
    unionpay: {
      mer_id: `777290058${digits(6)}`,
      cert_id: BigInt(`0x${upSignSerial}`).toString(10),
      sign_private_key: upMerchant!.privatePem,
      sign_cert_pem: await certificate(
        'CN=JuhePay Sandbox Merchant,O=JuhePay Sandbox',
        upSignSerial,
        upMerchant!,
        rootIssuer,
      ),
      unionpay_private_key: upOwn!.privatePem,
      unionpay_cert_pem: await certificate(
        `CN=041@8310000000083040@中国银联股份有限公司@00016495,OU=00000000,O=中国银联股份有限公司,C=CN`,
        serialHex(5),
        upOwn!,
        middleIssuer,
      ),
      verify_public_key: upOwn!.publicPem,
      root_cert_pem: rootCert,
      middle_cert_pem: middleCert,
    },
  };
}

/** Reads `<dataDir>/sandbox-keys.json`, generating it on first use. */
export async function loadOrCreateSandboxKeys(dataDir: string): Promise<SandboxKeys> {
  const file = path.join(dataDir, 'sandbox-keys.json');
  if (existsSync(file)) {
    const keys = JSON.parse(readFileSync(file, 'utf8')) as SandboxKeys;
    if (!keys.unionpay.middle_cert_pem)
      // its UnionPay signer hangs directly off the root, and the root's key was never kept
      throw new Error(
        `${file} predates the sandbox's UnionPay intermediate certificate: remove the data folder (or this file and the demo tenant) and start again`,
      );
    return keys;
  }
  const keys = await generateSandboxKeys();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
