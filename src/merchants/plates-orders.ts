import { ApiError } from '../core/errors.js';
import type { AppContext } from '../http/context.js';

/**
 * How a plate page turns an amount into an order. Orders belong to payments/ (issue 5); the page
 * only needs this one call, so payments plugs its implementation in when the app is built and
 * plates never import payments. Until then every plate payment answers 503.
 */

export interface PlateOrderInput {
  merchantId: string;
  storeId: string | null;
  amountFen: number;
  plateCode: string;
  clientIp: string;
}

export interface PlateOrder {
  order_id: string;
  /** where the customer's browser goes next: the /pay page of the order */
  cashier_url: string;
}

export interface PlateOrderCreator {
  createPlateOrder(input: PlateOrderInput): Promise<PlateOrder>;
}

export type PlateOrderCreatorFactory = (ctx: AppContext) => PlateOrderCreator;

const unavailable: PlateOrderCreatorFactory = () => ({
  createPlateOrder: async () => {
    throw new ApiError('service_unavailable', 'payments not available');
  },
});

let factory: PlateOrderCreatorFactory = unavailable;

/**
 * Installs the order creator plate pages use (read per request, so it may be set after the app is
 * built). Returns a function that puts the previous one back (tests).
 */
export function setPlateOrderCreator(next: PlateOrderCreatorFactory): () => void {
  const previous = factory;
  factory = next;
  return () => {
    factory = previous;
  };
}

export function plateOrderCreator(ctx: AppContext): PlateOrderCreator {
  return factory(ctx);
}
