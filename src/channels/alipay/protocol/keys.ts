import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Alipay's console hands keys out as bare base64 (no PEM armour); developers also paste PEM.
 * Accept both, and both PKCS#1 and PKCS#8 private keys, so a key works however it was copied.
 */

export type KeyInput = KeyObject | string;

function der(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}

export function alipayPublicKey(key: KeyInput): KeyObject {
  if (typeof key !== 'string') return key;
  if (key.includes('-----BEGIN')) return createPublicKey(key);
  return createPublicKey({ key: der(key), format: 'der', type: 'spki' });
}

export function alipayPrivateKey(key: KeyInput): KeyObject {
  if (typeof key !== 'string') return key;
  if (key.includes('-----BEGIN')) return createPrivateKey(key);
  try {
    return createPrivateKey({ key: der(key), format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der(key), format: 'der', type: 'pkcs1' });
  }
}
