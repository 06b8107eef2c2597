// Merchant webhooks: events with a per-object sequence, signed delivery on the 24 h schedule,
// attempts and resends. Other modules and the app use this file only.
export type { NewWebhookEvent, WebhookEvent, WebhookEventType } from './events.js';
export { eventWrites, recordEvent, WEBHOOK_EVENT_TYPES, type EventWrites } from './events.js';
export { loadWebhookConfig, type WebhookConfig } from './config.js';
export { webhookJobHandlers, type WebhookHandlerOptions } from './worker.js';
export { registerEventRoutes, registerWebhookAdminRoutes } from './http/routes.js';
