/**
 * How a plate page turns an amount into an order. Orders belong to payments/; the page needs only
 * this one call, so the app hands the plate pages an implementation when it registers them, and
 * plates never import payments.
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
