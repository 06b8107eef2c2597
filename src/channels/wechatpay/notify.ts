import type { Clock } from '../../core/clock.js';
import {
  ChannelError,
  type ChannelNotification,
  type NotificationAck,
  type RawNotification,
} from '../channel.js';
import { notificationOf } from './status.js';
import type { WechatClient } from './client.js';
import { parseNotification } from './protocol/notification.js';
import { keyringFrom, signedHeadersFrom } from './protocol/v3-signing.js';

/**
 * APIv3 notifications: verified with the configuration's keyring (signature probes, skew and unknown
 * serials refused; in certificate mode an unknown serial first fetches the certificate list anew),
 * decrypted with the APIv3 key, and checked to be for this sub-merchant.
 */
export async function parseWechatNotification(
  client: WechatClient,
  raw: RawNotification,
  clock: Clock,
): Promise<ChannelNotification> {
  const s = client.settings;
  const headers = signedHeadersFrom(raw.headers);
  const keyring = async () =>
    client.platformCerts
      ? new Map([...s.keyring, ...keyringFrom(await client.platformCerts.current())])
      : s.keyring;
  let parsed = parseNotification(headers, raw.body, await keyring(), s.apiv3Key, clock);
  if (!parsed.ok && parsed.reason === 'UNKNOWN_SERIAL' && client.platformCerts && headers.serial) {
    if (await client.platformCerts.learn(headers.serial).catch(() => false))
      parsed = parseNotification(headers, raw.body, await keyring(), s.apiv3Key, clock);
  }
  if (!parsed.ok) throw new ChannelError('invalid_notification', parsed.message, parsed.reason);
  const sub = parsed.resource.sub_mchid;
  if (sub !== undefined && sub !== s.subMchid)
    throw new ChannelError(
      'invalid_notification',
      `notification for sub_mchid ${String(sub)}, not this merchant`,
    );
  const notification = notificationOf(parsed.envelope.event_type, parsed.resource);
  if (!notification)
    throw new ChannelError('invalid_notification', `unhandled notification ${parsed.envelope.event_type}`);
  return notification;
}

/** WeChat reads only the status: 2xx = received; anything else is retried on its schedule */
export function wechatAck(accepted: boolean): NotificationAck {
  return accepted
    ? { status: 204, contentType: 'text/plain', body: '' }
    : {
        status: 500,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ code: 'FAIL', message: '失败' }),
      };
}
