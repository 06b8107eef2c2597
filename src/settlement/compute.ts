import { add, sub, type Fen } from '../core/money.js';

/**
 * Per-merchant settlement of one trade date (CONTRACT §7): gross − refunds − fees = net. Pure and
 * streaming: items are added one at a time and only one running total per merchant is kept, so a
 * day of a million orders holds as many totals as it has merchants.
 */

/** A trade or refund reconciliation confirmed for the day, with the merchant's fee (§6). */
export interface SettlementItem {
  merchantId: string;
  kind: 'trade' | 'refund';
  amount: Fen;
  /** trade: the merchant's fee; refund: `fee_refunded`, the part of the fee given back */
  fee: Fen;
}

export type SettlementStatus = 'pending' | 'paying' | 'paid' | 'failed' | 'held';

export interface MerchantSettlement {
  merchantId: string;
  tradeDate: string;
  settlementDate: string;
  tradeCount: number;
  refundCount: number;
  gross: Fen;
  refunds: Fen;
  /** fees charged on the trades less the fees returned with the refunds */
  fees: Fen;
  net: Fen;
  status: SettlementStatus;
}

interface Running {
  tradeCount: number;
  refundCount: number;
  gross: Fen;
  refunds: Fen;
  fees: Fen;
}

export class SettlementAccumulator {
  private readonly merchants = new Map<string, Running>();

  add(item: SettlementItem): void {
    if (item.amount < 0 || item.fee < 0)
      throw new RangeError(`negative amount or fee for ${item.merchantId}`);
    let r = this.merchants.get(item.merchantId);
    if (!r)
      this.merchants.set(
        item.merchantId,
        (r = { tradeCount: 0, refundCount: 0, gross: 0, refunds: 0, fees: 0 }),
      );
    if (item.kind === 'trade') {
      r.tradeCount++;
      r.gross = add(r.gross, item.amount);
      r.fees = add(r.fees, item.fee);
    } else {
      r.refundCount++;
      r.refunds = add(r.refunds, item.amount);
      r.fees = sub(r.fees, item.fee);
    }
  }

  /**
   * The day's settlements, one per merchant in merchant-id order. A merchant under risk review or
   * an operator's hold is `held`: settled (the money is counted) but not paid.
   */
  settlements(
    tradeDate: string,
    settlementDate: string,
    isHeld: (merchantId: string) => boolean = () => false,
  ): MerchantSettlement[] {
    return [...this.merchants.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([merchantId, r]) => ({
        merchantId,
        tradeDate,
        settlementDate,
        ...r,
        net: sub(sub(r.gross, r.refunds), r.fees),
        status: isHeld(merchantId) ? 'held' : 'pending',
      }));
  }
}

export function settle(
  items: Iterable<SettlementItem>,
  tradeDate: string,
  settlementDate: string,
  isHeld?: (merchantId: string) => boolean,
): MerchantSettlement[] {
  const acc = new SettlementAccumulator();
  for (const item of items) acc.add(item);
  return acc.settlements(tradeDate, settlementDate, isHeld);
}

/**
 * A merchant's settlement from the day's totals (the SQL aggregation's row): fees are the fees
 * charged on the day's trades less the fees returned with the day's refunds, and
 * net = gross − refunds − fees — exactly what the day's payments and refunds put into the
 * merchant's pending balance (a payment adds amount − fee, a refund takes amount − fee_refunded).
 */
export function fromTotals(t: { gross: Fen; refunds: Fen; feesCharged: Fen; feesReturned: Fen }): {
  gross: Fen;
  refunds: Fen;
  fees: Fen;
  net: Fen;
} {
  const fees = sub(t.feesCharged, t.feesReturned);
  return { gross: t.gross, refunds: t.refunds, fees, net: sub(sub(t.gross, t.refunds), fees) };
}
