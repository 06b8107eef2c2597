import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../platform/db/tables.js';

// Kysely table types for user profiles (issue 13); the migration 0013_profiles is the source of truth.

export interface ProfileTagDefinitionsTable {
  name: string;
  version: number;
  /** the definition as accepted (JSON) */
  definition: string;
  /** definitionFingerprint: a PUT with the same one keeps the version */
  fingerprint: string;
  created_at: Timestamp;
}

export interface ProfileTagsTable {
  name: string;
  current_version: number;
  updated_at: Timestamp;
}

export type ProfileStateVersionStatus = 'building' | 'current' | 'retired';

export interface ProfileStateVersionsTable {
  version: number;
  status: ProfileStateVersionStatus;
  /** events folded into it (a recompute's count) */
  events: ColumnType<string | number, number | undefined, number>;
  /** bookDigest of the version when it was switched to */
  digest: string | null;
  created_at: Timestamp;
  switched_at: Timestamp | null;
}

export interface ProfileStatesTable {
  version: number;
  subject: string;
  /** `name@tag version` */
  tag: string;
  /** serializeTagState: canonical, so equal counts are equal text */
  state: string;
  updated_at: Timestamp;
}

/** The journal of applied events (migration 0018): the exactly-once key and the replayed history. */
export interface ProfileEventsTable {
  seq: Generated<string>;
  id: string;
  type: string;
  at: Timestamp;
  /** the ProfileEvent as JSON */
  event: string;
  recorded_at: Timestamp;
}

/** The journal by subject (migration 0021): what a recompute replays, subject by subject. */
export interface ProfileEventSubjectsTable {
  subject: string;
  seq: ColumnType<string, string | number, never>;
}

export interface ProfileTables {
  profile_events: ProfileEventsTable;
  profile_event_subjects: ProfileEventSubjectsTable;
  profile_tag_definitions: ProfileTagDefinitionsTable;
  profile_tags: ProfileTagsTable;
  profile_state_versions: ProfileStateVersionsTable;
  profile_states: ProfileStatesTable;
}

declare module '../platform/db/tables.js' {
  interface Tables extends ProfileTables {}
}
