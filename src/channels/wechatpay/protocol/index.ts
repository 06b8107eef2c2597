/** The WeChat Pay protocol core: pure, used by the channel adapter and by the sandbox simulator alike. */
export * from './v3-signing.js';
export * from './aead.js';
export * from './jsapi.js';
export * from './v2-codec.js';
export * from './trade-bill.js';
export * from './notification.js';
export * from './abnormal-refund.js';
