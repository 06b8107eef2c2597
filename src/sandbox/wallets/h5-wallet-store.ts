import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { CreatePayment, H5Wallet } from '../../channels/h5wallet/protocol/h5-wallet-protocol.js';

/** One wallet's payments, in memory. WAIT_PAY → SUCCESS (customer confirms) or CLOSED (customer cancels). */

export type H5PaymentStatus = 'WAIT_PAY' | 'SUCCESS' | 'CLOSED';

export interface H5Payment extends CreatePayment {
  payment_id: string;
  status: H5PaymentStatus;
  created_at: string;
  paid_at?: string;
}

export class H5WalletStore {
  private readonly byId = new Map<string, H5Payment>();
  private readonly byTradeNo = new Map<string, H5Payment>();

  constructor(
    private readonly wallet: H5Wallet,
    private readonly clock: Clock,
  ) {}

  /** undefined when out_trade_no is taken */
  create(request: CreatePayment): H5Payment | undefined {
    if (this.byTradeNo.has(request.out_trade_no)) return undefined;
    const payment: H5Payment = {
      ...request,
      payment_id: `${this.wallet}_${randomBytes(10).toString('hex')}`,
      status: 'WAIT_PAY',
      created_at: this.clock.now().toISOString(),
    };
    this.byId.set(payment.payment_id, payment);
    this.byTradeNo.set(payment.out_trade_no, payment);
    return payment;
  }

  get(paymentIdOrTradeNo: string): H5Payment | undefined {
    return this.byId.get(paymentIdOrTradeNo) ?? this.byTradeNo.get(paymentIdOrTradeNo);
  }

  /** true when it moved; a payment is decided once */
  decide(payment: H5Payment, status: 'SUCCESS' | 'CLOSED'): boolean {
    if (payment.status !== 'WAIT_PAY') return false;
    payment.status = status;
    if (status === 'SUCCESS') payment.paid_at = this.clock.now().toISOString();
    return true;
  }
}
