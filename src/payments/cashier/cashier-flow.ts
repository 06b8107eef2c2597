import type { PayWay, WalletAction } from '../../channels/channel.js';
import { PAY_WAY_CHANNEL } from '../../channels/channel.js';
import { ApiError } from '../../core/errors.js';
import type { Db } from '../../platform/db/index.js';
import { isFinal } from '../order-machine.js';
import type { OrderRow } from '../order-view.js';
import type { CashierSession } from './session.js';
import { startWalletPayment, type StartDeps } from './start-payment.js';
import { WALLET_PAY_WAY, type CashierWallet } from './wallet-rules.js';
import type { PaymentRiskCheck } from '../../risk/index.js';
import { orderFacts } from '../risk-facts.js';

/** One step of the cashier for a scanned order: what the browser should see or do next. */
export type CashierStep =
  | { kind: 'final'; order: OrderRow }
  | { kind: 'choose'; wallets: CashierWallet[] }
  | { kind: 'action'; wallet: CashierWallet; payWay: PayWay; action: WalletAction; order: OrderRow }
  | { kind: 'refused'; wallet: CashierWallet; payWay: PayWay; order: OrderRow };

export interface CashierDeps extends StartDeps {
  /** scene `payment` once the wallet (and, for JSAPI, the payer) is known */
  risk?: PaymentRiskCheck | undefined;
}

/** JSAPI ways pay inside the wallet app as a known customer, so they need the payer id first. */
const NEEDS_PAYER: readonly PayWay[] = ['wechat_jsapi', 'alipay_jsapi'];

export async function availableWallets(deps: StartDeps, merchantId: string): Promise<CashierWallet[]> {
  const wallets = Object.keys(WALLET_PAY_WAY) as CashierWallet[];
  const usable = await Promise.all(
    wallets.map(async (w) => {
      const channel = PAY_WAY_CHANNEL[WALLET_PAY_WAY[w]];
      return (
        deps.channels.has(channel) && (await deps.channels.configs.get(merchantId, channel)) !== undefined
      );
    }),
  );
  return wallets.filter((_, i) => usable[i]);
}

export async function cashierStep(
  db: Db,
  deps: CashierDeps,
  order: OrderRow,
  wallet: CashierWallet | undefined,
  session: CashierSession,
  oauthCallback: (wallet: CashierWallet) => string,
): Promise<CashierStep> {
  if (isFinal(order.status)) return { kind: 'final', order };
  if (!wallet) return { kind: 'choose', wallets: await availableWallets(deps, order.merchant_id) };
  const walletWay = WALLET_PAY_WAY[wallet];
  const forced = order.pay_way as PayWay | null;
  if (forced && PAY_WAY_CHANNEL[forced] !== PAY_WAY_CHANNEL[walletWay]) {
    throw new ApiError('state_conflict', `this order must be paid with ${order.pay_way}`, 'pay_way');
  }
  // a way the merchant forced (e.g. alipay_wap) is used as is by its own wallet
  const payWay = forced ?? walletWay;
  const channel = deps.channels.adapter(PAY_WAY_CHANNEL[payWay]);
  let payerId: string | undefined;
  if (NEEDS_PAYER.includes(payWay) && channel.payerAuth) {
    payerId = (await session.payerId(wallet)) ?? undefined;
    if (!payerId) {
      const config = await deps.channels.config(order.merchant_id, channel.id);
      const url = channel.payerAuth.authorizeUrl(
        config,
        oauthCallback(wallet),
        await session.newState(order.id),
      );
      return { kind: 'action', wallet, payWay, action: { type: 'redirect', url }, order };
    }
  }
  if (deps.risk) {
    const verdict = await deps.risk(orderFacts({ ...order, channel: channel.id }, payerId));
    if (verdict.decision === 'reject') return { kind: 'refused', wallet, payWay, order };
    if (verdict.decision === 'review' && order.risk_flag !== 'review') {
      await db
        .updateTable('orders')
        .set({ risk_flag: 'review', risk_decision_id: verdict.id })
        .where('id', '=', order.id)
        .execute();
    }
  }
  const started = await startWalletPayment(db, deps, order, payWay, payerId);
  if (!started.action) return { kind: 'final', order: started.order };
  return { kind: 'action', wallet, payWay, action: started.action, order: started.order };
}

/** A wallet named in a cashier link; 404 for any other word. */
export function cashierWallet(name: string): CashierWallet {
  if (!(name in WALLET_PAY_WAY)) throw new ApiError('resource_missing', `no wallet ${name}`, 'wallet');
  return name as CashierWallet;
}

/**
 * The channel's OAuth came back with a code for `wallet`: checks the state this page issued,
 * learns the payer id from the channel and keeps it in the session for the next cashier step.
 */
export async function rememberPayerFromAuth(
  deps: StartDeps,
  order: OrderRow,
  wallet: CashierWallet,
  session: CashierSession,
  authCode: string | undefined,
  state: string | undefined,
): Promise<void> {
  if (!authCode || !state || !(await session.consumeState(state, order.id))) {
    throw new ApiError(
      'parameter_invalid',
      'the authorisation expired or did not come from this page; scan again',
      'state',
    );
  }
  const channel = deps.channels.adapter(PAY_WAY_CHANNEL[WALLET_PAY_WAY[wallet]]);
  if (!channel.payerAuth)
    throw new ApiError('parameter_invalid', `${wallet} needs no authorisation`, 'wallet');
  const payerId = await channel.payerAuth.payerId(
    await deps.channels.config(order.merchant_id, channel.id),
    authCode,
  );
  await session.rememberPayer(wallet, payerId);
}
