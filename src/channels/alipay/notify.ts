import { ChannelError, type ChannelNotification } from '../channel.js';
import type { AlipaySettings } from './config.js';
import { decodeForm } from './protocol/form.js';
import { verifyNotify } from './protocol/notify.js';
import { notificationOf } from './status.js';

/** An asynchronous notification (a signed form): verified with Alipay's key, then checked to be ours. */
export function parseAlipayNotification(s: AlipaySettings, body: string): ChannelNotification {
  const params = decodeForm(body);
  if (!params || !params.sign)
    throw new ChannelError('invalid_notification', 'alipay notification: not a signed form');
  if (!verifyNotify(params, s.alipayPublicKeyPem))
    throw new ChannelError('invalid_notification', 'alipay notification: the signature does not verify');
  refuseForeignNotification(params, s);
  return notificationOf(params);
}

/**
 * Alipay signs every app's notifications with the same Alipay key, and an ISV app receives the
 * notifications of all the merchants that authorised it: a verified signature says "from Alipay",
 * not "about this configuration". The identity fields must match the configuration the adapter is
 * given (the order's own, when the payments layer passes that):
 * - `app_id`: the app that made the request;
 * - `auth_app_id`: the merchant's app that granted app_auth_token (ISV mode), checked against the
 *   configured `auth_app_id`; without one, an ISV configuration must at least name the seller;
 * - `seller_id`, when both name one.
 */
export function refuseForeignNotification(params: Record<string, string>, s: AlipaySettings): void {
  const refuse = (why: string) => new ChannelError('invalid_notification', `alipay notification: ${why}`);
  if (params.app_id !== s.appId) throw refuse(`app_id ${params.app_id ?? '(none)'} is not ours`);
  if (s.authAppId !== undefined && params.auth_app_id !== s.authAppId)
    throw refuse(`auth_app_id ${params.auth_app_id ?? '(none)'} is not this merchant's (${s.authAppId})`);
  if (s.authAppId === undefined && s.appAuthToken !== undefined && s.sellerId === undefined)
    throw refuse('an ISV configuration needs auth_app_id or seller_id to tell its merchants apart');
  if (s.sellerId && params.seller_id && params.seller_id !== s.sellerId)
    throw refuse(`seller_id ${params.seller_id} is not ours`);
}
