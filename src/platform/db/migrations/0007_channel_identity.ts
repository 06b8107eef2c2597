import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// Channel identity is a snapshot (issue 9, points 1 and 13). A merchant's effective channel
// configuration (its credential holder's level merged with its own) is recorded as an immutable,
// content-addressed version when a channel order is opened; the order and its refunds reference
// that version, so a later change (re-onboarding, a new sub-merchant id, a rotated key) writes a
// new version and never alters the identity earlier orders were placed with. Orders and refunds
// also keep the notify URL they were sent with, so a resend is byte-for-byte the same request.
const STATEMENTS = [
  `
    create table channel_config_versions (
      id text primary key,
      merchant_id text not null references merchants(id),
      channel text not null,
      fields jsonb not null,
      secret_fields jsonb not null,
      secrets_ciphertext text,
      created_at timestamptz not null
    )
  `,
  `create index channel_config_versions_merchant on channel_config_versions (merchant_id, channel, created_at)`,
  `alter table orders add column channel_config_version_id text references channel_config_versions(id)`,
  `alter table orders add column channel_notify_url text`,
  `alter table orders add column channel_return_url text`,
  `alter table refunds add column channel_config_version_id text references channel_config_versions(id)`,
  `alter table refunds add column channel_notify_url text`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `alter table refunds drop column channel_notify_url`,
    `alter table refunds drop column channel_config_version_id`,
    `alter table orders drop column channel_return_url`,
    `alter table orders drop column channel_notify_url`,
    `alter table orders drop column channel_config_version_id`,
    `drop table channel_config_versions`,
  ]);
}
