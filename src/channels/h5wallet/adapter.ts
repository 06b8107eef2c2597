import {
  ChannelError,
  type Channel,
  type ChannelConfig,
  type ChannelOrder,
  type CreateResult,
  type PaymentStatus,
} from '../channel.js';
import { H5_WALLET_CONFIGS, type H5Wallet } from './protocol/h5-wallet-protocol.js';
import { callWallet } from './client.js';
import { H5_WALLET_PAY_WAY, h5WalletSettings } from './config.js';
import { parseWalletNotification, walletAck } from './notify.js';
import { returnUrlOf, walletPaymentStatus } from './status.js';

/**
 * QQ Wallet, JD Pay and Baidu Wallet as configurable H5 wallets: one adapter, parameterised by
 * wallet, speaking the sandbox's documented H5 wallet protocol (create, query, signed JSON
 * notifications). What that protocol lacks, the adapter says plainly:
 * - no close: close() queries; an unpaid payment is reported `closed` (the order is over for
 *   JuhePay; a payment made on the still-open wallet page arrives by notification and becomes a
 *   late-payment exception, never lost);
 * - no payment codes, no reverse, no refunds: ChannelError('rejected');
 * - no bills: downloadBill() is [] (reconciliation has nothing to compare for these wallets).
 */

export interface H5WalletChannelOptions {
  timeoutMs?: number;
}

type OrderRef = Pick<ChannelOrder, 'outTradeNo' | 'createdAt'>;

export function createH5WalletChannel(wallet: H5Wallet, options: H5WalletChannelOptions = {}): Channel {
  const payWay = H5_WALLET_PAY_WAY[wallet];
  const name = H5_WALLET_CONFIGS[wallet].name;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const unsupported = (what: string) =>
    new ChannelError('rejected', `${what} not supported by this wallet (${wallet})`);

  const query = async (config: ChannelConfig, order: OrderRef): Promise<PaymentStatus> => {
    const settings = h5WalletSettings(wallet, config);
    const { status, message } = await callWallet(
      wallet,
      settings,
      'v1/payments/query',
      { out_trade_no: order.outTradeNo },
      timeoutMs,
    );
    if (status === 404 && message.code === 'ORDER_NOT_EXIST') return { state: 'not_found' };
    if (status !== 200 || message.out_trade_no !== order.outTradeNo)
      throw new ChannelError(
        'rejected',
        `${wallet} query: ${String(message.code)} ${String(message.message ?? '')}`.trim(),
        String(message.code),
      );
    return walletPaymentStatus(message);
  };

  return {
    id: wallet,
    payWays: [payWay],

    async create(config, way, order): Promise<CreateResult> {
      if (way !== payWay) throw new ChannelError('rejected', `${wallet} pays by ${payWay}, not ${way}`);
      const settings = h5WalletSettings(wallet, config);
      const { status, message } = await callWallet(
        wallet,
        settings,
        'v1/payments',
        {
          out_trade_no: order.outTradeNo,
          amount: order.amount,
          description: order.subject,
          notify_url: order.notifyUrl,
          return_url: returnUrlOf(order.returnUrl, order.notifyUrl),
        },
        timeoutMs,
      );
      if (
        status === 201 &&
        typeof message.pay_url === 'string' &&
        message.out_trade_no === order.outTradeNo
      ) {
        return {
          action: { type: 'redirect', url: message.pay_url },
          channelTradeNo: String(message.payment_id),
        };
      }
      if (status === 409 && message.code === 'DUPLICATE_OUT_TRADE_NO') {
        // an earlier create got through (its answer was lost): the same open payment serves again
        const again = await callWallet(
          wallet,
          settings,
          'v1/payments/query',
          { out_trade_no: order.outTradeNo },
          timeoutMs,
        );
        const m = again.message;
        if (
          again.status === 200 &&
          m.status === 'WAIT_PAY' &&
          m.amount === order.amount &&
          typeof m.pay_url === 'string'
        )
          return { action: { type: 'redirect', url: m.pay_url }, channelTradeNo: String(m.payment_id) };
      }
      const param = typeof message.param === 'string' ? ` (${message.param})` : '';
      throw new ChannelError(
        'rejected',
        `${name} refused the payment: ${String(message.message ?? message.code)}${param}`,
        String(message.code),
      );
    },

    async payByCode() {
      throw unsupported('payment codes are');
    },

    query,

    async close(config, order) {
      const status = await query(config, order);
      if (status.state !== 'pending') return status;
      return {
        ...status,
        state: 'closed',
        message: `${wallet} has no close: the wallet page lapses; a later payment is notified`,
      };
    },

    async reverse() {
      throw unsupported('reverse is');
    },

    async refund() {
      throw unsupported('refunds are');
    },

    async refundQuery() {
      throw unsupported('refunds are');
    },

    parseNotification: async (config, raw) => parseWalletNotification(wallet, config, raw),
    ack: walletAck,

    async downloadBill() {
      return []; // the H5 wallet protocol has no bills
    },
  };
}
