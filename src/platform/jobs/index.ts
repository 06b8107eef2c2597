export * from './backoff.js';
export * from './queue.js';
export * from './worker.js';
