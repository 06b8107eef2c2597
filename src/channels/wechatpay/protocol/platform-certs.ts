import { X509Certificate } from 'node:crypto';
import { AeadError, decryptResource, type EncryptedResource } from './aead.js';
import { certificateSerial } from './v3-signing.js';

/**
 * Platform-certificate mode (平台证书): GET /v3/certificates lists WeChat Pay's current platform
 * certificates, each `encrypt_certificate` AEAD_AES_256_GCM-encrypted with the merchant's APIv3
 * key. WeChat issues the next certificate before the current one expires and both are listed
 * during the overlap, so a client refreshes the list regularly (WeChat advises at least every 12
 * hours) and whenever a message names a serial it does not know. Pure: parsing and timing rules.
 */

export interface PlatformCert {
  serial: string;
  pem: string;
  effectiveAt: Date;
  expiresAt: Date;
}

/** how often the list is fetched again, at the latest */
export const PLATFORM_CERTS_REFRESH_MS = 12 * 3600 * 1000;
/** a certificate this close to expiry makes the client look for its successor at every call */
export const PLATFORM_CERTS_RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;
/** an unknown serial refreshes at most this often (a forged serial must not hammer WeChat) */
export const UNKNOWN_SERIAL_REFRESH_MS = 60 * 1000;

export class PlatformCertsError extends Error {}

/** The decrypted certificates of a /v3/certificates body; anything inconsistent throws PlatformCertsError. */
export function decryptPlatformCerts(body: unknown, apiv3Key: string): PlatformCert[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0)
    throw new PlatformCertsError('the certificate list is empty or malformed');
  return data.map((entry: Record<string, unknown>) => {
    const serial = typeof entry.serial_no === 'string' ? entry.serial_no.toUpperCase() : '';
    let pem: string;
    try {
      pem = decryptResource(entry.encrypt_certificate as EncryptedResource, apiv3Key);
    } catch (error) {
      const why = error instanceof AeadError ? error.message : 'does not decrypt with the APIv3 key';
      throw new PlatformCertsError(`certificate ${serial}: ${why}`);
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw new PlatformCertsError(`certificate ${serial} is not a certificate`);
    }
    if (certificateSerial(pem) !== serial)
      throw new PlatformCertsError(`certificate ${serial} decrypts to serial ${certificateSerial(pem)}`);
    return { serial, pem, effectiveAt: new Date(cert.validFrom), expiresAt: new Date(cert.validTo) };
  });
}

/** Whether the list must be fetched (again) before a call at nowMs. */
export function platformCertsStale(
  certs: readonly PlatformCert[],
  fetchedAtMs: number | undefined,
  nowMs: number,
): boolean {
  if (fetchedAtMs === undefined || certs.length === 0) return true;
  if (nowMs - fetchedAtMs >= PLATFORM_CERTS_REFRESH_MS) return true;
  const latest = Math.max(...certs.map((c) => c.expiresAt.getTime()));
  return latest - nowMs <= PLATFORM_CERTS_RENEW_BEFORE_MS;
}

/** The certificates usable at nowMs, by serial. */
export function usableCerts(certs: readonly PlatformCert[], nowMs: number): Record<string, string> {
  return Object.fromEntries(
    certs
      .filter((c) => c.effectiveAt.getTime() <= nowMs && nowMs < c.expiresAt.getTime())
      .map((c) => [c.serial, c.pem]),
  );
}
