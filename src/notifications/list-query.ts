import { ApiError } from '../core/errors.js';
import { parseLimit } from '../core/pagination.js';
import { isId } from '../core/ids.js';
import { isWebhookEventType, type WebhookEventType } from './events.js';
import type { DeliveryStatus } from './tables.js';

/**
 * Validation of event list filters and resend time ranges, pure. Query strings arrive as text;
 * every problem is an ApiError naming the parameter.
 */

const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'failed'];
/** ISO 8601 with an explicit offset (CONTRACT §2: times carry their offset) */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface EventFilter {
  objectId?: string;
  type?: WebhookEventType;
  status?: DeliveryStatus;
  createdFrom?: Date;
  createdTo?: Date;
  startingAfter?: string;
  limit: number;
}

export type RawQuery = Record<string, string | undefined>;

/** Date.parse rolls 2026-02-30 over to March; a time must name a real calendar day. */
function fieldsValid(value: string): boolean {
  const [y, mo, d, h, mi] = [0, 5, 8, 11, 14].map((at, i) => Number(value.slice(at, at + (i === 0 ? 4 : 2))));
  const s = value[16] === ':' ? Number(value.slice(17, 19)) : 0;
  const daysInMonth = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  return mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= daysInMonth && h! <= 23 && mi! <= 59 && s <= 59;
}

export function parseTime(value: string, param: string): Date {
  const at = ISO_TIME.test(value) && fieldsValid(value) ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new ApiError(
      'parameter_invalid',
      `${param} must be an ISO 8601 time with an offset, e.g. 2026-01-01T08:00:00+08:00`,
      param,
    );
  }
  return at;
}

export function parseEventFilter(query: RawQuery): EventFilter {
  const filter: EventFilter = { limit: parseLimit(query.limit) };
  if (query.object_id !== undefined) {
    if (!/^[a-z]{2,8}_[0-9a-z]{26}$/.test(query.object_id)) {
      throw new ApiError('parameter_invalid', 'object_id must be an object id such as ord_…', 'object_id');
    }
    filter.objectId = query.object_id;
  }
  if (query.type !== undefined) {
    if (!isWebhookEventType(query.type)) {
      throw new ApiError(
        'parameter_invalid',
        `type ${JSON.stringify(query.type.slice(0, 64))} is not an event type`,
        'type',
      );
    }
    filter.type = query.type;
  }
  if (query.status !== undefined) {
    if (!(DELIVERY_STATUSES as readonly string[]).includes(query.status)) {
      throw new ApiError(
        'parameter_invalid',
        `status must be one of ${DELIVERY_STATUSES.join(', ')}`,
        'status',
      );
    }
    filter.status = query.status as DeliveryStatus;
  }
  if (query.created_from !== undefined) filter.createdFrom = parseTime(query.created_from, 'created_from');
  if (query.created_to !== undefined) filter.createdTo = parseTime(query.created_to, 'created_to');
  if (filter.createdFrom && filter.createdTo && filter.createdTo <= filter.createdFrom) {
    throw new ApiError('parameter_invalid', 'created_to must be after created_from', 'created_to');
  }
  if (query.starting_after !== undefined) {
    if (!isId('event', query.starting_after)) {
      throw new ApiError('parameter_invalid', 'starting_after must be an event id (evt_…)', 'starting_after');
    }
    filter.startingAfter = query.starting_after;
  }
  return filter;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

/** A bulk resend's range: both ends required, to after from. */
export function parseTimeRange(body: { created_from?: string; created_to?: string }): TimeRange {
  if (body.created_from === undefined) {
    throw new ApiError('parameter_missing', 'field created_from is required', 'created_from');
  }
  if (body.created_to === undefined) {
    throw new ApiError('parameter_missing', 'field created_to is required', 'created_to');
  }
  const from = parseTime(body.created_from, 'created_from');
  const to = parseTime(body.created_to, 'created_to');
  if (to <= from)
    throw new ApiError('parameter_invalid', 'created_to must be after created_from', 'created_to');
  return { from, to };
}
