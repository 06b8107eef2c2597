import type { Selectable } from 'kysely';
import { ApiError } from '../core/errors.js';
import { toPage, type Page } from '../core/pagination.js';
import { newestFirst, type Queryable } from '../platform/db/index.js';
import type { WebhookEvent } from './events.js';
import type { EventFilter } from './list-query.js';
import type { WebhookAttemptsTable, WebhookEventsTable } from './tables.js';

/** Reading events with their attempts, for the merchant and admin APIs. */

type EventRow = Selectable<WebhookEventsTable>;
type AttemptRow = Selectable<WebhookAttemptsTable>;

/** Who is asking: a merchant's app sees its own events; an operator may narrow by merchant/app. */
export interface EventScope {
  appId?: string;
  merchantId?: string;
}

function iso(at: Date | null): string | null {
  return at ? at.toISOString() : null;
}

export function attemptView(a: AttemptRow) {
  return {
    attempt: a.attempt_number,
    round: a.round,
    url: a.url,
    outcome: a.outcome,
    status_code: a.status_code,
    latency_ms: a.latency_ms,
    response: a.response_excerpt,
    error: a.error,
    started_at: a.started_at.toISOString(),
    finished_at: iso(a.finished_at),
  };
}

/** The event as sent (CONTRACT §2) plus its delivery state. Pure. */
export function eventView(row: EventRow, attempts: AttemptRow[]) {
  const event = JSON.parse(row.body) as WebhookEvent;
  return {
    ...event,
    app_id: row.app_id,
    merchant_id: row.merchant_id,
    delivery: {
      status: row.status,
      notify_url: row.notify_url,
      round: row.round,
      attempt_count: row.attempt_count,
      next_attempt_at: iso(row.next_attempt_at),
      last_attempt_at: iso(row.last_attempt_at),
      delivered_at: iso(row.delivered_at),
      attempts: attempts.map(attemptView),
    },
  };
}

export type EventView = ReturnType<typeof eventView>;

async function attemptsOf(db: Queryable, eventIds: string[]): Promise<Map<string, AttemptRow[]>> {
  const byEvent = new Map<string, AttemptRow[]>();
  if (eventIds.length === 0) return byEvent;
  const rows = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('event_id', 'in', eventIds)
    .orderBy('event_id')
    .orderBy('attempt_number')
    .execute();
  for (const row of rows) {
    const list = byEvent.get(row.event_id) ?? [];
    list.push(row);
    byEvent.set(row.event_id, list);
  }
  return byEvent;
}

export async function getEvent(db: Queryable, id: string, scope: EventScope): Promise<EventView> {
  let q = db.selectFrom('webhook_events').selectAll().where('id', '=', id);
  if (scope.appId) q = q.where('app_id', '=', scope.appId);
  if (scope.merchantId) q = q.where('merchant_id', '=', scope.merchantId);
  const row = await q.executeTakeFirst();
  if (!row) throw new ApiError('resource_missing', `no event ${id}`, 'id');
  return eventView(row, (await attemptsOf(db, [id])).get(id) ?? []);
}

export type EventPage = Page<EventView>;

/** Newest first by id (ids sort by creation time); `starting_after` continues after a page. */
export async function listEvents(db: Queryable, scope: EventScope, filter: EventFilter): Promise<EventPage> {
  let q = newestFirst(db.selectFrom('webhook_events').selectAll(), filter, {
    app_id: scope.appId,
    merchant_id: scope.merchantId,
    object_id: filter.objectId,
    type: filter.type,
    status: filter.status,
  });
  if (filter.createdFrom) q = q.where('created_at', '>=', filter.createdFrom);
  if (filter.createdTo) q = q.where('created_at', '<', filter.createdTo);
  const rows = await q.execute();
  const attempts = await attemptsOf(
    db,
    rows.slice(0, filter.limit).map((r) => r.id),
  );
  return toPage(rows, filter.limit, (r) => eventView(r, attempts.get(r.id) ?? []));
}
