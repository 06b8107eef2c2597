import type { Generated } from 'kysely';
import type { ChannelId } from '../channels/index.js';
import type { CreatedAt, Json, Timestamp } from '../platform/db/tables.js';

// Kysely table types for tenancy, apps, channel configs, onboarding and the audit log (issue 4);
// merged into Tables (platform/db/tables.ts) below. DDL: migrations 0001 and 0003.

export type MerchantStatus = 'active' | 'suspended';
/** the channel ids of the channels' registry (the `channels` table in SQL, migration 0023) */
export type ChannelName = ChannelId;
export type OnboardingChannelStatus = 'submitted' | 'auditing' | 'approved' | 'rejected';
export type ApplicationStatus = 'draft' | 'in_progress' | 'approved' | 'partially_approved' | 'rejected';

export interface InstitutionsTable {
  id: string;
  name: string;
  created_at: CreatedAt;
}

export interface ServiceProvidersTable {
  id: string;
  institution_id: string;
  name: string;
  created_at: CreatedAt;
}

export interface MerchantsTable {
  id: string;
  institution_id: string;
  service_provider_id: string | null;
  name: string;
  status: MerchantStatus;
  status_reason: string | null;
  status_changed_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface StoresTable {
  id: string;
  merchant_id: string;
  name: string;
  created_at: CreatedAt;
}

export interface TerminalsTable {
  id: string;
  merchant_id: string;
  store_id: string;
  name: string;
  device_sn: string | null;
  status: 'active' | 'disabled';
  created_at: CreatedAt;
}

export interface AppsTable {
  id: string;
  merchant_id: string;
  name: string;
  secret_ciphertext: string;
  notify_url: string | null;
  status: 'active' | 'disabled';
  secret_rotated_at: Timestamp | null;
  created_at: CreatedAt;
}

/** Channel credentials of an institution or a service provider (inherited by its merchants) or of one merchant. */
export interface ChannelConfigsTable {
  owner_id: string;
  owner_type: 'institution' | 'service_provider' | 'merchant';
  channel: ChannelName;
  /** non-secret fields: ids, endpoints, serials, public keys */
  fields: Json<Record<string, string>>;
  /** names of the secret fields held in secrets_ciphertext */
  secret_fields: Json<string[]>;
  /** sealed JSON object of the secret fields; purpose channel_config:<owner_id>:<channel> */
  secrets_ciphertext: string | null;
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/**
 * An immutable snapshot of a merchant's effective configuration for one channel (migration 0007),
 * content-addressed: the id is derived from the levels it was merged from. Orders reference it.
 */
export interface ChannelConfigVersionsTable {
  id: string;
  merchant_id: string;
  channel: ChannelName;
  fields: Json<Record<string, string>>;
  secret_fields: Json<string[]>;
  /** sealed JSON object of the secret fields; purpose channel_config_version:<id> */
  secrets_ciphertext: string | null;
  created_at: Timestamp;
}

export interface OnboardingApplicationsTable {
  id: string;
  merchant_id: string;
  status: ApplicationStatus;
  /** the KYC fields with the resident ID and account number masked */
  kyc: Json<Record<string, unknown>>;
  /** sealed JSON of the full KYC fields; purpose onboarding:<id> */
  kyc_ciphertext: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OnboardingChannelsTable {
  application_id: string;
  channel: ChannelName;
  status: OnboardingChannelStatus;
  /** increments on each (re)submission; part of the channel's idempotency key */
  submission_no: number;
  channel_application_id: string | null;
  sub_merchant_id: string | null;
  reason: string | null;
  submitted_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  merchant_id: string | null;
  before: Json<Record<string, unknown> | null> | null;
  after: Json<Record<string, unknown> | null> | null;
  request_id: string | null;
}

export interface TenancyTables {
  institutions: InstitutionsTable;
  service_providers: ServiceProvidersTable;
  merchants: MerchantsTable;
  stores: StoresTable;
  terminals: TerminalsTable;
  apps: AppsTable;
  channel_configs: ChannelConfigsTable;
  channel_config_versions: ChannelConfigVersionsTable;
  onboarding_applications: OnboardingApplicationsTable;
  onboarding_channels: OnboardingChannelsTable;
  audit_log: AuditLogTable;
}

// Registers these tables in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports a domain module.
declare module '../platform/db/tables.js' {
  interface Tables extends TenancyTables {}
}
