// Kysely table types for tenancy, apps, channel configs, onboarding, audit (issue 4); merged into Tables in src/platform/db/tables.ts.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TenancyTables {}
