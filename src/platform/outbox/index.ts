export { consumeOnce, pruneOutbox, pruneProcessedEvents } from './consume.js';
export {
  relayOnce,
  startRelay,
  outboxKey,
  writeEvent,
  type NewEvent,
  type RelayOptions,
  type StartRelayOptions,
} from './outbox.js';
