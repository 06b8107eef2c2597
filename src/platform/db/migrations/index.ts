import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_webhooks.js';
import * as m0003 from './0003_tenancy.js';
import * as m0004 from './0004_plates.js';
import * as m0005 from './0005_payments.js';
import * as m0006 from './0006_institution_channels.js';
import * as m0007 from './0007_channel_identity.js';
import * as m0008 from './0008_reverse_operations.js';
import * as m0009 from './0009_refund_abnormal.js';
import * as m0010 from './0010_fees_ledger.js';
import * as m0011 from './0011_risk.js';
import * as m0013 from './0013_profiles.js';
import * as m0014 from './0014_reconciliation.js';
import * as m0015 from './0015_settlement.js';
import * as m0016 from './0016_channel_ids.js';
import * as m0017 from './0017_risk_refund_flag.js';
import * as m0018 from './0018_profile_journal.js';
import * as m0019 from './0019_ledger_booking_queue.js';
import * as m0021 from './0021_profile_replay_order.js';
import * as m0022 from './0022_reconciliation_staging.js';
import * as m0023 from './0023_channels_table.js';

/** Migrations are listed here (not read from disk) so the same set runs from src/ and dist/. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_webhooks': m0002,
  '0003_tenancy': m0003,
  '0004_plates': m0004,
  '0005_payments': m0005,
  '0006_institution_channels': m0006,
  '0007_channel_identity': m0007,
  '0008_reverse_operations': m0008,
  '0009_refund_abnormal': m0009,
  '0010_fees_ledger': m0010,
  '0011_risk': m0011,
  '0013_profiles': m0013,
  '0014_reconciliation': m0014,
  '0015_settlement': m0015,
  '0016_channel_ids': m0016,
  '0017_risk_refund_flag': m0017,
  '0018_profile_journal': m0018,
  '0019_ledger_booking_queue': m0019,
  '0021_profile_replay_order': m0021,
  '0022_reconciliation_staging': m0022,
  '0023_channels_table': m0023,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
