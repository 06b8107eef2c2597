import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ApiError } from '../core/errors.js';
import { CHARACTERS_KEYWORD, characterProblem, defaultRule, type CharacterRule } from './characters.js';

/**
 * Applies the character rules (characters.ts) to every route: each string in a request schema
 * (body, query, path, headers) gets the `x-characters` keyword, which the ajv plugin below
 * checks; keys of open objects are identifiers. A last-resort guard then refuses any NUL the
 * schemas could not see (routes without a schema for a part, keys of untyped objects, headers),
 * so no NUL ever reaches SQL.
 */

type Schema = Record<string, unknown>;
const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** keywords whose value maps names to subschemas; `properties` names the strings below it */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'];
/** keywords holding one subschema or a list of them; the property name carries through */
const SAME_VALUE = ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else'];
const INNER_VALUES = [
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
];

function hasType(schema: Schema, type: string): boolean {
  return schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));
}

/** A copy of `schema` with a character rule on every string; the original is left untouched. */
export function withCharacterRules(schema: unknown, propertyName?: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => withCharacterRules(s, propertyName));
  if (!isSchema(schema)) return schema;
  const out: Schema = { ...schema };
  for (const key of SCHEMA_MAPS) {
    const map = out[key];
    if (!isSchema(map)) continue;
    out[key] = Object.fromEntries(
      Object.entries(map).map(([name, sub]) => [
        name,
        withCharacterRules(sub, key === 'properties' ? name : undefined),
      ]),
    );
  }
  for (const key of SAME_VALUE) if (key in out) out[key] = withCharacterRules(out[key], propertyName);
  for (const key of INNER_VALUES) if (key in out) out[key] = withCharacterRules(out[key]);
  if (hasType(out, 'string') && out[CHARACTERS_KEYWORD] === undefined) {
    out[CHARACTERS_KEYWORD] = defaultRule(propertyName);
  }
  if (hasType(out, 'object') && out.additionalProperties !== false && out.propertyNames === undefined) {
    out.propertyNames = { [CHARACTERS_KEYWORD]: 'identifier' };
  }
  return out;
}

type AjvPlugin = Extract<
  NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number],
  (...args: never[]) => unknown
>;
interface CharacterValidate {
  (rule: CharacterRule, data: string): boolean;
  errors?: Array<{ keyword: string; message: string; params: Record<string, unknown> }>;
}

/** The ajv plugin (Fastify's `ajv.plugins`) that checks `x-characters`. */
export const characterRulesAjvPlugin: AjvPlugin = (ajv) => {
  const validate: CharacterValidate = (rule, data) => {
    const problem = characterProblem(data, rule);
    validate.errors = problem ? [{ keyword: CHARACTERS_KEYWORD, message: problem, params: { rule } }] : [];
    return problem === undefined;
  };
  return ajv.addKeyword({
    keyword: CHARACTERS_KEYWORD,
    type: 'string',
    schemaType: 'string',
    metaSchema: { enum: ['text', 'identifier'] },
    errors: true,
    validate,
  });
};

const REQUEST_PARTS = ['body', 'querystring', 'query', 'params', 'headers'] as const;

/** A step down into a value: its key and the step above it (a path without copying arrays). */
interface Step {
  key: string;
  parent: Step | undefined;
}
const pathOf = (step: Step | undefined): string[] => {
  const path: string[] = [];
  for (let s = step; s; s = s.parent) path.push(s.key);
  return path.reverse();
};

/** The first string (value or key) holding NUL in `value`, as a path; iterative, linear at any depth. */
export function findNul(value: unknown): { path: string[]; inKey: boolean } | undefined {
  const stack: Array<{ value: unknown; at: Step | undefined }> = [{ value, at: undefined }];
  while (stack.length) {
    const next = stack.pop()!;
    if (typeof next.value === 'string') {
      if (next.value.includes('\u0000')) return { path: pathOf(next.at), inKey: false };
    } else if (Array.isArray(next.value)) {
      next.value.forEach((item, i) => stack.push({ value: item, at: { key: String(i), parent: next.at } }));
    } else if (isSchema(next.value)) {
      for (const [key, item] of Object.entries(next.value)) {
        if (key.includes('\u0000')) return { path: pathOf(next.at), inKey: true };
        stack.push({ value: item, at: { key, parent: next.at } });
      }
    }
  }
  return undefined;
}

function refuseNul(request: FastifyRequest): void {
  const parts: Array<[string, unknown]> = [
    ['path parameter', request.params],
    ['query parameter', request.query],
    ['header', request.headers],
    ['field', request.body],
  ];
  for (const [where, value] of parts) {
    const found = findNul(value);
    if (!found) continue;
    const param = found.path.length ? found.path.join('.') : undefined;
    const what = found.inKey ? `a key of ${where} ${param ?? 'the body'}` : `${where} ${param ?? 'the body'}`;
    throw new ApiError('parameter_invalid', `${what} must not contain NUL (U+0000)`, param);
  }
}

/** A body given per media type (`{ content: { type: { schema } } }`) gets the rules in each. */
function withContentRules(body: unknown): unknown {
  if (!isSchema(body) || !isSchema(body.content)) return body;
  const content = Object.fromEntries(
    Object.entries(body.content).map(([type, media]) => [
      type,
      isSchema(media) ? { ...media, schema: withCharacterRules(media.schema) } : media,
    ]),
  );
  return { ...body, content };
}

/** Registers the rules on the whole app; call before any route is added. */
export function registerCharacterRules(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema) return;
    const rewritten: Record<string, unknown> = { ...schema };
    for (const part of REQUEST_PARTS) if (part in schema) rewritten[part] = withCharacterRules(schema[part]);
    if (rewritten.body !== undefined) rewritten.body = withContentRules(rewritten.body);
    route.schema = rewritten;
  });
  // preHandler: after authentication (so unsigned garbage still gets its 401) and validation.
  app.addHook('preHandler', async (request) => refuseNul(request));
}
