import type { Clock } from '../../core/clock.js';
import {
  ChannelError,
  type ChannelConfig,
  type ChannelNotification,
  type NotificationAck,
  type RawNotification,
} from '../channel.js';
import { notificationOf } from './adapter-status.js';
import { parseWechatpayConfig } from './config.js';
import { parseNotification } from './protocol/notification.js';
import { signedHeadersFrom } from './protocol/v3-signing.js';

/**
 * APIv3 notifications: verified with the configuration's keyring (signature probes, skew and unknown
 * serials refused), decrypted with the APIv3 key, and checked to be for this sub-merchant.
 */
export function parseWechatNotification(
  config: ChannelConfig,
  raw: RawNotification,
  clock: Clock,
): ChannelNotification {
  const s = parseWechatpayConfig(config);
  const parsed = parseNotification(signedHeadersFrom(raw.headers), raw.body, s.keyring, s.apiv3Key, clock);
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
