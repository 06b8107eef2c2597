import type { Clock } from '../../../core/clock.js';
import { AeadError, decryptResource, type EncryptedResource } from './aead.js';
import { verifySigned, type Keyring, type SignedHeaders, type VerifyFailure } from './v3-signing.js';

/**
 * APIv3 notifications: a signed JSON envelope whose `resource` is AES-GCM encrypted with the APIv3
 * key. Acknowledged by HTTP 200/204 alone; otherwise WeChat retries on its fixed schedule.
 */

const S = 1000;
const M = 60 * S;
const H = 60 * M;
/** 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h: 15 retries within 24h4m */
export const NOTIFY_RETRY_DELAYS_MS: readonly number[] = [
  15 * S,
  15 * S,
  30 * S,
  3 * M,
  10 * M,
  20 * M,
  30 * M,
  30 * M,
  30 * M,
  60 * M,
  3 * H,
  3 * H,
  3 * H,
  6 * H,
  6 * H,
];

export function isNotifyAck(status: number): boolean {
  return status === 200 || status === 204;
}

export type NotifyEventType =
  'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED' | (string & {});

export interface NotificationEnvelope {
  id: string;
  create_time: string;
  resource_type: 'encrypt-resource';
  event_type: NotifyEventType;
  summary: string;
  resource: EncryptedResource;
}

export type ParseNotificationResult =
  | { ok: true; envelope: NotificationEnvelope; plaintext: string; resource: Record<string, unknown> }
  | { ok: false; reason: VerifyFailure | 'BAD_BODY' | 'DECRYPT_FAILED'; message: string };

function isEnvelope(v: unknown): v is NotificationEnvelope {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  const r = e.resource as Record<string, unknown> | undefined;
  return (
    typeof e.id === 'string' &&
    typeof e.event_type === 'string' &&
    !!r &&
    typeof r === 'object' &&
    typeof r.ciphertext === 'string' &&
    typeof r.nonce === 'string' &&
    typeof r.algorithm === 'string'
  );
}

/** Verify (signature over the raw body, skew, probes), then decrypt. Never throws. */
export function parseNotification(
  headers: SignedHeaders,
  rawBody: string,
  keyring: Keyring,
  apiV3Key: string,
  clock: Clock | undefined,
): ParseNotificationResult {
  const verified = verifySigned(headers, rawBody, keyring, clock);
  if (!verified.ok) return verified;
  let envelope: unknown;
  try {
    envelope = JSON.parse(rawBody);
  } catch {
    return { ok: false, reason: 'BAD_BODY', message: 'body is not JSON' };
  }
  if (!isEnvelope(envelope)) return { ok: false, reason: 'BAD_BODY', message: 'not a notification envelope' };
  try {
    const plaintext = decryptResource(envelope.resource, apiV3Key);
    const resource = JSON.parse(plaintext) as Record<string, unknown>;
    return { ok: true, envelope, plaintext, resource };
  } catch (error) {
    return {
      ok: false,
      reason: 'DECRYPT_FAILED',
      message: error instanceof AeadError ? error.message : 'resource is not JSON',
    };
  }
}

/** RFC 3339 with the +08:00 offset WeChat uses everywhere (e.g. 2018-06-08T10:34:56+08:00). */
export function beijingTime(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 19);
  return `${local}+08:00`;
}

/** 'YYYY-MM-DD HH:mm:ss' Beijing time, the bill's 交易时间 format */
export function beijingBillTime(at: Date): string {
  return beijingTime(at).slice(0, 19).replace('T', ' ');
}

/** the Beijing calendar day (bill_date) an instant falls on */
export function beijingDate(at: Date): string {
  return beijingTime(at).slice(0, 10);
}
