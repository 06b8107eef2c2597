// Kysely table types for plate batches (issue 4); merged into Tables in src/platform/db/tables.ts.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PlateTables {}
