import { Type } from 'typebox';
import { Strict } from '../../http/schemas.js';

/** Request schemas of the risk API (CONTRACT §8). */

export const ListParam = Type.Union([Type.Literal('block'), Type.Literal('allow'), Type.Literal('review')]);
export const SubjectTypeSchema = Type.Union(
  ['payer', 'customer', 'device', 'ip', 'merchant'].map((t) => Type.Literal(t)),
);
export const SceneSchema = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,39}$',
  description: '`payment`, `refund`, or a merchant scene such as `login`',
});

export const NewEntryBody = Strict({
  type: SubjectTypeSchema,
  value: Type.String({ minLength: 1, maxLength: 200 }),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
  expires_at: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601; unset = never' })),
});

const ruleFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scene: SceneSchema,
  expression: Type.String({ minLength: 1, maxLength: 2000, description: 'CEL, see docs/risk.md' }),
  action: Type.Union([Type.Literal('reject'), Type.Literal('review')]),
  mode: Type.Union([Type.Literal('active'), Type.Literal('shadow')]),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
};

export const NewRuleBody = Strict(ruleFields);
export const PatchRuleBody = Strict(
  Object.fromEntries(Object.entries(ruleFields).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof typeof ruleFields]: ReturnType<typeof Type.Optional<(typeof ruleFields)[K]>>;
  },
);

const Attributes = Type.Record(
  Type.String({ minLength: 1, maxLength: 40 }),
  Type.String({ maxLength: 500 }),
  {
    maxProperties: 20,
  },
);
const subjectFields = {
  customer_id: Type.String({ minLength: 1, maxLength: 64 }),
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  ip: Type.Optional(Type.String({ minLength: 2, maxLength: 45, pattern: '^[0-9A-Fa-f:.]+$' })),
  attributes: Type.Optional(Attributes),
};

export const DecideBody = Strict({ scene: SceneSchema, ...subjectFields });
export const EventBody = Strict({
  type: Type.String({
    pattern: '^[a-z][a-z0-9_]{0,39}$',
    description: '`login`, `register`, `password_change`, …',
  }),
  ...subjectFields,
});

export const DecisionQuery = Strict({
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  decision: Type.Optional(
    Type.Union([Type.Literal('accept'), Type.Literal('review'), Type.Literal('reject')]),
  ),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  starting_after: Type.Optional(Type.String({ pattern: '^rdc_[0-9a-z]{26}$' })),
});
