import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// The ledger's booking consumer (ledger/booking.ts) reads its queue among every other queued job
// (a webhook backlog can be large): a partial index finds its drafts without scanning the rest.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `create index if not exists jobs_ledger_booking on jobs (run_at, id)
       where queue = 'ledger.book' and status = 'queued'`,
  ]);
}
