/**
 * The one event shape the profile core consumes, whatever produced it (a payment, a refund, a
 * merchant's risk event). Adapters flatten their source into this; the core never reads a table.
 */

export type FieldValue = string | number | boolean | null | undefined;

export interface ProfileEvent {
  /** Unique per event and stable across redeliveries and replays: the exactly-once key. */
  readonly id: string;
  /** `order.succeeded`, `refund.succeeded`, or `risk.<type>` for `POST /v1/risk/events`. */
  readonly type: string;
  /** When it happened, ms since the epoch (UTC). Buckets and day parts derive from it. */
  readonly at: number;
  readonly merchant_id: string;
  /** The merchant's customer (orders and risk events carry `customer_id`). */
  readonly customer_id?: string | null;
  /** The payer at the channel (`channel_payer_id`), with `fields.channel` it names a payer subject. */
  readonly payer_id?: string | null;
  /** Flat fields a tag may read: `channel`, `pay_way`, `amount`, `device_id`, `attributes.gender`, … */
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/** CONTRACT §8: a merchant's customer is `<merchant_id>:<customer_id>`. */
export function customerSubject(merchantId: string, customerId: string): string {
  return `${merchantId}:${customerId}`;
}

/** CONTRACT §8: a payer is `<channel>:<payer id>`. */
export function payerSubject(channel: string, payerId: string): string {
  return `${channel}:${payerId}`;
}

/** Every subject an event is evidence about: its customer, and its payer when the channel is known. */
export function subjectsOf(event: ProfileEvent): string[] {
  const subjects: string[] = [];
  if (event.customer_id) subjects.push(customerSubject(event.merchant_id, event.customer_id));
  const channel = event.fields['channel'];
  if (event.payer_id && typeof channel === 'string' && channel !== '') {
    subjects.push(payerSubject(channel, event.payer_id));
  }
  return subjects;
}
