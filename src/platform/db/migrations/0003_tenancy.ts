import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Tenancy (issue 4): merchant suspension, terminals, per-channel configuration, onboarding
// applications with one row per channel, and the admin audit log.

const CHANNELS = `('wechatpay', 'alipay', 'unionpay', 'qqwallet', 'jdpay', 'baiduwallet')`;

const STATEMENTS: string[] = [
  `alter table merchants drop constraint merchants_status_check`,
  `update merchants set status = 'suspended' where status = 'disabled'`,
  `alter table merchants add constraint merchants_status_check check (status in ('active', 'suspended'))`,
  `alter table merchants add column status_reason text`,
  `alter table merchants add column status_changed_at timestamptz`,
  `create index merchants_service_provider on merchants (service_provider_id, id)`,
  `alter table apps add column secret_rotated_at timestamptz`,
  `
    create table terminals (
      id text primary key,
      merchant_id text not null references merchants(id),
      store_id text not null references stores(id),
      name text not null,
      device_sn text unique,
      status text not null default 'active' check (status in ('active', 'disabled')),
      created_at timestamptz not null default now()
    )
  `,
  `create index terminals_store on terminals (store_id, id)`,
  `
    create table channel_configs (
      owner_id text not null,
      owner_type text not null check (owner_type in ('service_provider', 'merchant')),
      channel text not null check (channel in ${CHANNELS}),
      fields jsonb not null default '{}',
      secret_fields jsonb not null default '[]',
      secrets_ciphertext text,
      enabled boolean not null default true,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (owner_id, channel)
    )
  `,
  `
    create table onboarding_applications (
      id text primary key,
      merchant_id text not null references merchants(id),
      status text not null check (status in ('draft', 'in_progress', 'approved', 'partially_approved', 'rejected')),
      kyc jsonb not null,
      kyc_ciphertext text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )
  `,
  `create index onboarding_applications_merchant on onboarding_applications (merchant_id, id)`,
  `create index onboarding_applications_status on onboarding_applications (status, id)`,
  `
    create table onboarding_channels (
      application_id text not null references onboarding_applications(id),
      channel text not null check (channel in ${CHANNELS}),
      status text not null check (status in ('submitted', 'auditing', 'approved', 'rejected')),
      submission_no integer not null check (submission_no > 0),
      channel_application_id text,
      sub_merchant_id text,
      reason text,
      submitted_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (application_id, channel)
    )
  `,
  `
    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null,
      actor text not null,
      action text not null,
      object_type text not null,
      object_id text not null,
      merchant_id text,
      before jsonb,
      after jsonb,
      request_id text
    )
  `,
  `create index audit_log_object on audit_log (object_id, id)`,
  `create index audit_log_merchant on audit_log (merchant_id, id) where merchant_id is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}
