import type { RiskDecision, RiskEngine } from './engine.js';

/**
 * The decision points of the payment flows (CONTRACT §8), as plain functions the payments code
 * calls: it passes what it knows, the engine decides. Payments never imports the engine.
 */

/** What the orders module knows when it is about to create an order. */
export interface OrderFacts {
  appId: string;
  merchantId: string;
  mchOrderNo: string;
  amount: number;
  channel?: string | null | undefined;
  customerId?: string | null | undefined;
  deviceId?: string | null | undefined;
  clientIp?: string | null | undefined;
  payer?: { channel: string; id: string } | undefined;
  orderId?: string | undefined;
}

export type PaymentRiskCheck = (facts: OrderFacts) => Promise<RiskDecision>;

export interface RefundFacts {
  order: OrderFacts;
  mchRefundNo: string;
  amount: number;
}

export type RefundRiskCheck = (facts: RefundFacts) => Promise<RiskDecision>;

/** `<channel>:<payer id>`, the list value of a payer. */
export function payerSubject(channel: string, payerId: string): string {
  return `${channel}:${payerId}`;
}

export function customerSubject(merchantId: string, customerId: string): string {
  return `${merchantId}:${customerId}`;
}

function subjectsOf(facts: OrderFacts) {
  return {
    merchantId: facts.merchantId,
    customer: facts.customerId ? customerSubject(facts.merchantId, facts.customerId) : undefined,
    device: facts.deviceId ?? undefined,
    ip: facts.clientIp ?? undefined,
    payer: facts.payer ? payerSubject(facts.payer.channel, facts.payer.id) : undefined,
    channel: facts.channel ?? facts.payer?.channel ?? undefined,
    orderId: facts.orderId,
  };
}

/** Scene `payment`: order creation, payment codes and the cashier. One attempt per order. */
export function paymentCheck(engine: RiskEngine): PaymentRiskCheck {
  return (facts) =>
    engine.decide({
      scene: 'payment',
      amount: facts.amount,
      ...subjectsOf(facts),
      attemptKey: `${facts.appId}:${facts.mchOrderNo}`,
    });
}

/** Scene `refund`: one attempt per refund number of an order. */
export function refundCheck(engine: RiskEngine): RefundRiskCheck {
  return (facts) =>
    engine.decide({
      scene: 'refund',
      type: 'refund',
      amount: facts.amount,
      ...subjectsOf(facts.order),
      attemptKey: `${facts.order.appId}:${facts.order.mchOrderNo}:${facts.mchRefundNo}`,
    });
}
