/** What the risk module emits on the stream and what it consumes. */

/** Merchant-side events from POST /v1/risk/events (for counters and profiles). */
export const RISK_EVENT_TOPIC = 'risk.event';
