import { randomUUID } from 'node:crypto';
import { encryptResource } from '../../channels/wechatpay/protocol/aead.js';
import {
  beijingTime,
  isNotifyAck,
  NOTIFY_RETRY_DELAYS_MS,
  type NotificationEnvelope,
} from '../../channels/wechatpay/protocol/notification.js';
import { signResponseHeaders } from '../../channels/wechatpay/protocol/v3-signing.js';
import { unixSeconds } from '../../core/clock.js';
import type { WechatSimulator } from './simulator.js';
import type { Refund, Trade } from './trade-store.js';
import { refundNotifyView, transactionView } from './views.js';

/**
 * APIv3 notifications: the envelope (and its encrypted resource) is made once; every delivery
 * attempt is signed afresh with a new timestamp and nonce, as WeChat does.
 */
function send(
  sim: WechatSimulator,
  url: string,
  label: string,
  eventType: string,
  summary: string,
  originalType: string,
  plaintext: unknown,
): void {
  const envelope: NotificationEnvelope = {
    id: randomUUID(),
    create_time: beijingTime(sim.ctx.clock.now()),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary,
    resource: encryptResource(JSON.stringify(plaintext), sim.keys.apiv3_key, originalType),
  };
  const body = JSON.stringify(envelope);
  sim.ctx.notifier.send({
    channel: 'wechatpay',
    label,
    url,
    build: () => ({
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Mozilla/4.0',
        ...signResponseHeaders(body, sim.signingSerial, sim.platformPrivateKey, unixSeconds(sim.ctx.clock)),
      },
      body,
    }),
    isAck: (status) => isNotifyAck(status),
    retryDelaysMs: NOTIFY_RETRY_DELAYS_MS,
  });
}

export function notifyTransactionSuccess(sim: WechatSimulator, trade: Trade): void {
  if (!trade.notifyUrl) return; // 付款码 trades have no notify_url
  send(
    sim,
    trade.notifyUrl,
    `TRANSACTION.SUCCESS out_trade_no=${trade.outTradeNo}`,
    'TRANSACTION.SUCCESS',
    '支付成功',
    'transaction',
    transactionView(trade),
  );
}

/** only when the refund request carried notify_url (the platform-configured fallback is not simulated) */
export function notifyRefund(sim: WechatSimulator, refund: Refund): void {
  const url = refund.notifyUrl;
  if (!url) return;
  const event = `REFUND.${refund.status}`;
  send(
    sim,
    url,
    `${event} out_refund_no=${refund.outRefundNo}`,
    event,
    refund.status === 'SUCCESS' ? '退款成功' : '退款异常',
    'refund',
    refundNotifyView(refund, sim.keys.sp_mchid),
  );
}
