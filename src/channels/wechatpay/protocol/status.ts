import type { ChannelPaymentState } from '../../channel.js';

/**
 * trade_state (v3 query, v2 orderquery) → the small status the rest of JuhePay reasons about.
 * Kept in one table so a new WeChat state is one line here.
 */

export type WechatTradeState =
  'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

/** the Channel interface's payment state: refunds do not change `succeeded`, a reverse is `closed` */
export type ChannelTradeStatus = Exclude<ChannelPaymentState, 'not_found'>;

/** desc = the trade_state_desc WeChat sends with the state */
export const TRADE_STATE_TABLE: Readonly<
  Record<WechatTradeState, { status: ChannelTradeStatus; final: boolean; desc: string }>
> = {
  NOTPAY: { status: 'pending', final: false, desc: '订单未支付' },
  USERPAYING: { status: 'user_paying', final: false, desc: '需要用户输入支付密码' },
  SUCCESS: { status: 'succeeded', final: true, desc: '支付成功' },
  REFUND: { status: 'succeeded', final: true, desc: '订单发生过退款' },
  CLOSED: { status: 'closed', final: true, desc: '订单已关闭' },
  REVOKED: { status: 'closed', final: true, desc: '订单已撤销' },
  PAYERROR: { status: 'failed', final: true, desc: '支付失败，请重新下单支付' },
};

export function isTradeState(value: unknown): value is WechatTradeState {
  return typeof value === 'string' && Object.hasOwn(TRADE_STATE_TABLE, value);
}

/** undefined for a state WeChat has not documented: the caller should treat it as unknown and query again */
export function statusOfTradeState(state: string): ChannelTradeStatus | undefined {
  return isTradeState(state) ? TRADE_STATE_TABLE[state].status : undefined;
}

export function tradeStateDesc(state: WechatTradeState): string {
  return TRADE_STATE_TABLE[state].desc;
}
