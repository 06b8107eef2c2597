import {
  ChannelError,
  type AbnormalRefundTarget,
  type RefundRequest,
  type RefundStatus,
} from '../channel.js';
import type { WechatClient } from './client.js';
import { refundStatusOf } from './status.js';
import { abnormalRefundBody, encryptSensitive } from './protocol/abnormal-refund.js';

/**
 * 发起异常退款 for an ABNORMAL refund: the body's card fields are encrypted with a platform public
 * key (the first of the configuration's keyring: the PUB_KEY_ID key when there is one, as WeChat
 * recommends) and Wechatpay-Serial names that key. WeChat answers the refund, PROCESSING again.
 */
export async function applyAbnormalRefund(
  c: WechatClient,
  refund: RefundRequest & { channelRefundNo: string },
  target: AbnormalRefundTarget,
): Promise<RefundStatus> {
  const platform = [...c.settings.keyring.entries()][0];
  if (!platform) throw new ChannelError('config', 'wechatpay config: no platform public key to encrypt with');
  const [serial, key] = platform;
  const body = abnormalRefundBody(c.settings.subMchid, refund.outRefundNo, target, (text) =>
    encryptSensitive(text, key),
  );
  const { data } = await c.v3(
    'post',
    `v3/refund/domestic/refunds/${encodeURIComponent(refund.channelRefundNo)}/apply-abnormal-refund`,
    body,
    { headers: { 'Wechatpay-Serial': serial } },
  );
  return refundStatusOf(data as Record<string, unknown>);
}
