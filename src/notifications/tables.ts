// Kysely table types for webhooks (issue 6); merged into Tables in src/platform/db/tables.ts.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WebhookTables {}
