import { randomInt } from 'node:crypto';
import { encodeForm } from '../../channels/alipay/protocol/form.js';
import { buildNotify, NOTIFY_ACK, NOTIFY_RETRY_DELAYS_MS } from '../../channels/alipay/protocol/notify.js';
import { chinaDate } from '../../channels/alipay/protocol/time.js';
import type { SandboxContext } from '../context.js';
import type { AlipayTrade } from './store.js';
import { notifyParams } from './views.js';

/**
 * trade_status_sync notifications: a signed form POST to notify_url, acknowledged only by the body
 * `success` (anything else, even HTTP 200, is a failure), retried on Alipay's 25-hour schedule.
 * Each delivery carries a fresh notify_time and signature; notify_id stays the same.
 */

/** the merchant's own app, as seen in auth_app_id when an ISV calls on its behalf */
export function merchantAppId(sellerId: string): string {
  return `2021${sellerId.slice(4)}`;
}

export function sendTradeNotification(ctx: SandboxContext, trade: AlipayTrade): void {
  if (!trade.notifyUrl) return;
  const keys = ctx.keys.alipay;
  const snapshot = structuredClone(trade); // the state this notification is about, not a later one
  const notifyId = `${chinaDate(ctx.clock.now()).replaceAll('-', '')}00222${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1e9)).padStart(9, '0')}`;
  const who = { appId: keys.app_id, authAppId: merchantAppId(keys.seller_id), sellerId: keys.seller_id };
  ctx.notifier.send({
    channel: 'alipay',
    label: `trade_status_sync ${snapshot.status} out_trade_no=${snapshot.outTradeNo}`,
    url: snapshot.notifyUrl!,
    build: () => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: encodeForm(
        buildNotify(notifyParams(snapshot, who, notifyId, ctx.clock.now()), keys.alipay_private_key),
      ),
    }),
    isAck: (status, body) => status === 200 && body === NOTIFY_ACK,
    retryDelaysMs: NOTIFY_RETRY_DELAYS_MS,
  });
}
