// The channels' one table (migration 0023): the ids the database accepts in its channel columns
// (channel_configs, onboarding_channels refer to it by foreign key). Filled from the registry at
// start (store.ts), so a new channel needs no migration.

export interface ChannelsTable {
  id: string;
}

export interface ChannelTables {
  channels: ChannelsTable;
}

// Registers the table in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports the channels.
declare module '../platform/db/tables.js' {
  interface Tables extends ChannelTables {}
}
