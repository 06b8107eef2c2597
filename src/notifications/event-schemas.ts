import { Type } from 'typebox';
import { WEBHOOK_EVENT_TYPES } from './events.js';

/** Query strings arrive as text; list-query.ts checks their meaning and names the bad one. */
export const EventListQuery = {
  object_id: Type.Optional(Type.String({ maxLength: 64, description: 'events of one order or refund' })),
  type: Type.Optional(Type.String({ maxLength: 64, description: WEBHOOK_EVENT_TYPES.join(' | ') })),
  status: Type.Optional(
    Type.String({ maxLength: 16, description: 'delivery status: pending | succeeded | failed' }),
  ),
  created_from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 with offset, inclusive' })),
  created_to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 with offset, exclusive' })),
  limit: Type.Optional(Type.String({ maxLength: 4, description: '1…100, default 20' })),
  starting_after: Type.Optional(
    Type.String({ maxLength: 64, description: 'the last id of the previous page' }),
  ),
};

export const ResendRange = {
  created_from: Type.String({ maxLength: 40, description: 'ISO 8601 with offset, inclusive' }),
  created_to: Type.String({ maxLength: 40, description: 'ISO 8601 with offset, exclusive' }),
};

/** 202 bodies are documented in docs/webhooks.md; serialised as they are. */
export const Accepted = Type.Unknown({ description: 'the event (one resend) or the resend summary (bulk)' });
