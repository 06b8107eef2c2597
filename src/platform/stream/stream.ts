/**
 * The event stream: in-process in embedded mode, NATS JetStream in production, same contract
 * (test/integration/stream-contract.test.ts runs on both). Delivery is at least once: a consumer
 * gets a message again until its handler resolves, so handlers must be idempotent by event id
 * (see platform/outbox `consumeOnce`).
 */
export interface StreamEvent {
  /** evt_… id; publishing the same id twice is deduplicated where the backend can. */
  id: string;
  /** dotted topic, e.g. `order.succeeded` */
  topic: string;
  payload: Record<string, unknown>;
  created_at: string;
}

export type EventHandler = (event: StreamEvent) => Promise<void>;

export interface Subscription {
  stop(): Promise<void>;
}

export interface Stream {
  publish(event: StreamEvent): Promise<void>;
  /**
   * Durable subscription: `consumer` names the group; each event matching `topics` ('*' = any one
   * segment, '>' = the rest) goes to one member of the group, redelivered if the handler throws.
   */
  subscribe(consumer: string, topics: string, handler: EventHandler): Promise<Subscription>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
