import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// User profiles (issue 13). A tag's state is kept per (state version, subject, tag@tag version):
// the incremental consumer writes the current state version; a recompute builds the next one
// beside it and switches the pointer in one transaction, so readers never see a half-built
// version. Operator tag definitions are versioned rows, the current one per name pointed to.

const STATEMENTS: string[] = [
  `
    create table profile_tag_definitions (
      name text not null,
      version integer not null check (version > 0),
      definition text not null,
      fingerprint text not null,
      created_at timestamptz not null,
      primary key (name, version)
    )
  `,
  `
    create table profile_tags (
      name text primary key,
      current_version integer not null,
      updated_at timestamptz not null,
      foreign key (name, current_version) references profile_tag_definitions (name, version)
    )
  `,
  `
    create table profile_state_versions (
      version integer primary key check (version > 0),
      status text not null check (status in ('building', 'current', 'retired')),
      events bigint not null default 0,
      digest text,
      created_at timestamptz not null,
      switched_at timestamptz
    )
  `,
  `
    create unique index profile_state_versions_one_current on profile_state_versions ((true))
      where status = 'current'
  `,
  `
    insert into profile_state_versions (version, status, created_at) values (1, 'current', now())
  `,
  `
    create table profile_states (
      version integer not null references profile_state_versions (version),
      subject text not null,
      tag text not null,
      state text not null,
      updated_at timestamptz not null,
      primary key (version, subject, tag)
    )
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, STATEMENTS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    'drop table profile_states, profile_state_versions, profile_tags, profile_tag_definitions',
  ]);
}
