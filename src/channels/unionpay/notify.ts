import { ChannelError, type ChannelNotification } from '../channel.js';
import { AcpVerifyError, type AcpClient } from './client.js';
import { notificationOf } from './messages.js';
import { AcpFormatError } from './protocol/form.js';

/**
 * An ACP back notification (backUrl): its signature checked against UnionPay's signing
 * certificate through the configured chain, then refused unless it is about this merchant's merId.
 */
export function parseUnionpayNotification(
  client: AcpClient,
  merId: string,
  body: string,
): ChannelNotification {
  let fields;
  try {
    fields = client.parseNotification(body);
  } catch (error) {
    if (error instanceof AcpVerifyError || error instanceof AcpFormatError)
      throw new ChannelError('invalid_notification', `unionpay notification: ${error.message}`);
    throw error;
  }
  if (fields.merId !== merId)
    throw new ChannelError(
      'invalid_notification',
      `unionpay notification for merId ${fields.merId ?? '(none)'}, not ours`,
    );
  return notificationOf(fields);
}
