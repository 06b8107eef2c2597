import { rsa2Sign, rsaVerify, signContent, withoutEmpty, type Params } from './sign.js';
import type { KeyInput } from './keys.js';

/**
 * Asynchronous notifications (form POST to notify_url). Trade notifications (trade_status_sync)
 * are signed WITHOUT sign_type; some older notify types (servicemarket) are signed WITH it.
 * Values are the form-decoded strings: decode exactly once, never again.
 */

export const NOTIFY_ACK = 'success';

/** Alipay's published schedule: 4m, 10m, 10m, 1h, 2h, 6h, 15h (8 deliveries within 25 h). */
export const NOTIFY_RETRY_DELAYS_MS: readonly number[] = [4, 10, 10, 60, 120, 360, 900].map(
  (m) => m * 60_000,
);

export type NotifyVariant = 'trade' | 'keep_sign_type';

export function notifySignContent(params: Params, variant: NotifyVariant = 'trade'): string {
  return signContent(params, variant === 'trade' ? ['sign', 'sign_type'] : ['sign']);
}

/** Strict check for one variant. */
export function verifyNotifyAs(params: Params, alipayPublicKey: KeyInput, variant: NotifyVariant): boolean {
  return rsaVerify(
    notifySignContent(params, variant),
    params.sign ?? '',
    alipayPublicKey,
    params.sign_type ?? 'RSA2',
  );
}

/** What a merchant does: the trade rule first, then the legacy rule that keeps sign_type. */
export function verifyNotify(params: Params, alipayPublicKey: KeyInput): boolean {
  return (
    verifyNotifyAs(params, alipayPublicKey, 'trade') ||
    verifyNotifyAs(params, alipayPublicKey, 'keep_sign_type')
  );
}

/** The simulator's side: a trade notification signed as Alipay signs it (sign_type not signed). */
export function buildNotify(params: Params, alipayPrivateKey: KeyInput): Record<string, string> {
  const clean = withoutEmpty({ ...params, sign_type: 'RSA2' });
  return { ...clean, sign: rsa2Sign(notifySignContent(clean, 'trade'), alipayPrivateKey) };
}
