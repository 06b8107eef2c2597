import type { PayWay } from '../channels/channel.js';
import type { Db } from '../platform/db/index.js';
import type { PaymentRiskCheck } from '../risk/index.js';
import { startWalletPayment, type StartDeps } from './cashier/start-payment.js';
import { createOrder, type NewOrder, type OrderOwner } from './create-order.js';
import type { OrderRow } from './order-view.js';

/** Ways whose code the customer scans directly, so the order carries the channel's QR code. */
const DIRECT_QR_WAYS: readonly PayWay[] = ['wechat_native', 'alipay_qr', 'unionpay_qr'];

/**
 * `POST /v1/orders`: creates the order (or finds the same one again) and, for a way the customer
 * scans with the wallet's own camera, opens the channel order at once so the answer has its code.
 */
export async function placeOrder(
  db: Db,
  deps: StartDeps & { risk?: PaymentRiskCheck | undefined },
  owner: OrderOwner,
  input: NewOrder,
): Promise<{ order: OrderRow; created: boolean }> {
  const created = await createOrder(db, owner, input, deps.clock, deps.risk);
  let order = created.order;
  if (order.status === 'created' && input.pay_way && DIRECT_QR_WAYS.includes(input.pay_way)) {
    order = (await startWalletPayment(db, deps, order, input.pay_way, undefined)).order;
  }
  return { order, created: created.created };
}
