export { consumeOnce, pruneOutbox, pruneProcessedEvents } from './consume.js';
export {
  relayOnce,
  startRelay,
  writeEvent,
  type NewEvent,
  type RelayOptions,
  type StartRelayOptions,
} from './outbox.js';
