import { sql } from 'kysely';
import type { Queryable } from '../platform/db/index.js';
import { canonicalLine, LineDigest } from './profile-book.js';

/**
 * A state version's rows in bulk: written by a recompute as subjects finish, read back in
 * (subject, tag) order (the "C" collation of migration 0021 = the digest's code-point order) a
 * page at a time. Neither side ever holds a whole version.
 */

export interface StateRow {
  subject: string;
  tag: string;
  state: string;
}

/**
 * Buffers rows and inserts them `batch` at a time as three text arrays (one statement, three
 * parameters: far cheaper to bind and plan than a multi-row VALUES). One insert is in flight
 * while the caller keeps folding; rows arrive in subject order, so the primary key grows at its
 * right edge.
 */
export class StateWriter {
  private subjects: string[] = [];
  private tags: string[] = [];
  private states: string[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  written = 0;

  constructor(
    private readonly db: Queryable,
    private readonly version: number,
    private readonly now: Date,
    private readonly batch: number,
  ) {}

  async add(subject: string, tag: string, state: string): Promise<void> {
    this.subjects.push(subject);
    this.tags.push(tag);
    this.states.push(state);
    if (this.subjects.length >= this.batch) await this.flush();
  }

  /** Starts inserting the buffer once the previous insert is done; waits only for that one. */
  private async flush(): Promise<void> {
    await this.settled();
    const [subjects, tags, states] = [this.subjects, this.tags, this.states];
    this.subjects = [];
    this.tags = [];
    this.states = [];
    this.written += subjects.length;
    // a failure is kept and thrown by the next flush or by close (never an unhandled rejection)
    this.inFlight = sql`
      insert into profile_states (version, subject, tag, state, updated_at)
      select ${this.version}, u.subject, u.tag, u.state, ${this.now}
      from unnest(${subjects}::text[], ${tags}::text[], ${states}::text[]) as u(subject, tag, state)`
      .execute(this.db)
      .then(
        () => undefined,
        (error: unknown) => {
          this.failure = { error };
        },
      );
  }

  private async settled(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure.error;
  }

  /** Writes what is buffered and waits for every insert. */
  async close(): Promise<number> {
    if (this.subjects.length > 0) await this.flush();
    await this.settled();
    return this.written;
  }
}

/** Every row of a version in (subject, tag) order, `limit` rows per keyset page. */
export async function* versionRows(db: Queryable, version: number, limit = 5_000): AsyncGenerator<StateRow> {
  let after = { subject: '', tag: '' };
  for (;;) {
    const rows = await db
      .selectFrom('profile_states')
      .select(['subject', 'tag', 'state'])
      .where('version', '=', version)
      .where((eb) => eb(eb.refTuple('subject', 'tag'), '>', eb.tuple(after.subject, after.tag)))
      .orderBy('subject')
      .orderBy('tag')
      .limit(limit)
      .execute();
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < limit) return;
    after = { subject: last.subject, tag: last.tag };
  }
}

/** The digest of a version from its stored rows: what bookDigest gives for the same states. */
export async function versionDigest(db: Queryable, version: number): Promise<string> {
  const digest = new LineDigest();
  for await (const row of versionRows(db, version))
    digest.add(canonicalLine(row.subject, row.tag, row.state));
  return digest.hex();
}
