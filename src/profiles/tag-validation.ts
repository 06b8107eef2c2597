import { ApiError } from '../core/errors.js';
import { BUILTIN_TAG_NAMES } from './builtin-tags.js';
import { compareCodePoints, sha256Hex } from './canonical.js';
import {
  closedDomain,
  type TagDefinition,
  type TagPrior,
  type TagSource,
  type TagWindow,
  type ValueRule,
} from './tag-definition.js';

/** What `PUT /admin/v1/profiles/tags/{name}` accepts; the store assigns the version. */
export type TagDefinitionInput = Omit<TagDefinition, 'version'>;

const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const EVENT_TYPE = /^(order\.succeeded|refund\.succeeded|risk\.(\*|[a-z][a-z0-9_]{0,39}))$/;
const FIELD = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const MAX_SOURCES = 8;
const MAX_MAP_ENTRIES = 200;
const MAX_BINS = 50;
const MAX_LABEL = 128;
const MAX_WINDOW_DAYS = 3_660;
const MAX_PRIOR_STRENGTH = 1_000_000;

type Obj = Record<string, unknown>;

function invalid(param: string, message: string): never {
  throw new ApiError('parameter_invalid', message, param);
}

function object(value: unknown, param: string, allowed: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(param || 'body', `${param || 'the body'} must be an object`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ApiError(
        'parameter_unknown',
        `unknown parameter ${param ? `${param}.` : ''}${key}`,
        param ? `${param}.${key}` : key,
      );
    }
  }
  return value as Obj;
}

function required(obj: Obj, key: string, param: string): unknown {
  if (obj[key] === undefined) throw new ApiError('parameter_missing', `${param} is required`, param);
  return obj[key];
}

function label(value: unknown, param: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_LABEL) {
    invalid(param, `${param} must be a non-empty string of at most ${MAX_LABEL} characters`);
  }
  return value;
}

function field(value: unknown, param: string): string {
  if (typeof value !== 'string' || !FIELD.test(value)) {
    invalid(param, `${param} must be a field name (letters, digits, _ . -; at most 64)`);
  }
  return value;
}

function parseSource(raw: unknown, param: string, needsField: boolean): TagSource {
  const obj = object(raw, param, ['type', 'weight', 'field', 'when', 'time_field']);
  const type = required(obj, 'type', `${param}.type`);
  if (typeof type !== 'string' || !EVENT_TYPE.test(type)) {
    invalid(
      `${param}.type`,
      `${param}.type must be order.succeeded, refund.succeeded, risk.<type> or risk.*`,
    );
  }
  const weight = obj['weight'] ?? 1;
  if (weight !== 1 && weight !== -1) invalid(`${param}.weight`, `${param}.weight must be 1 or -1`);
  const source: { -readonly [K in keyof TagSource]: TagSource[K] } = { type, weight };
  if (obj['field'] !== undefined) source.field = field(obj['field'], `${param}.field`);
  else if (needsField)
    throw new ApiError('parameter_missing', `${param}.field is required`, `${param}.field`);
  if (obj['when'] !== undefined) {
    const when = object(obj['when'], `${param}.when`, ['field', 'equals']);
    const equals = required(when, 'equals', `${param}.when.equals`);
    if (
      typeof equals !== 'string' &&
      typeof equals !== 'boolean' &&
      !(typeof equals === 'number' && Number.isFinite(equals))
    ) {
      invalid(`${param}.when.equals`, `${param}.when.equals must be a string, number or boolean`);
    }
    source.when = {
      field: field(required(when, 'field', `${param}.when.field`), `${param}.when.field`),
      equals,
    };
  }
  if (obj['time_field'] !== undefined) source.time_field = field(obj['time_field'], `${param}.time_field`);
  return source;
}

function parseValueRule(raw: unknown): ValueRule {
  const obj = object(raw, 'value', [
    'kind',
    'map',
    'otherwise',
    'cuts',
    'labels',
    'utc_offset_minutes',
    'parts',
  ]);
  const kind = required(obj, 'kind', 'value.kind');
  switch (kind) {
    case 'identity':
      return { kind };
    case 'map': {
      const map = object(required(obj, 'map', 'value.map'), 'value.map', Object.keys(obj['map'] ?? {}));
      const entries = Object.entries(map);
      if (entries.length === 0 || entries.length > MAX_MAP_ENTRIES) {
        invalid('value.map', `value.map must have 1 to ${MAX_MAP_ENTRIES} entries`);
      }
      const clean = Object.fromEntries(entries.map(([k, v]) => [k, label(v, `value.map.${k}`)]));
      const otherwise =
        obj['otherwise'] === undefined || obj['otherwise'] === null
          ? null
          : label(obj['otherwise'], 'value.otherwise');
      return { kind, map: clean, otherwise };
    }
    case 'bins': {
      const cuts = required(obj, 'cuts', 'value.cuts');
      const labels = required(obj, 'labels', 'value.labels');
      if (!Array.isArray(cuts) || cuts.length === 0 || cuts.length > MAX_BINS) {
        invalid('value.cuts', `value.cuts must be 1 to ${MAX_BINS} numbers`);
      }
      cuts.forEach((cut: unknown, i) => {
        if (typeof cut !== 'number' || !Number.isFinite(cut))
          invalid(`value.cuts[${i}]`, 'a cut is a finite number');
        if (i > 0 && cut <= (cuts[i - 1] as number))
          invalid(`value.cuts[${i}]`, 'cuts must be strictly ascending');
      });
      if (!Array.isArray(labels) || labels.length !== cuts.length + 1) {
        invalid('value.labels', 'value.labels must have one more entry than value.cuts');
      }
      const names = labels.map((l: unknown, i) => label(l, `value.labels[${i}]`));
      if (new Set(names).size !== names.length) invalid('value.labels', 'value.labels must be distinct');
      return { kind, cuts: cuts as number[], labels: names };
    }
    case 'day_part': {
      const offset = obj['utc_offset_minutes'] ?? 480;
      if (!Number.isInteger(offset) || (offset as number) < -720 || (offset as number) > 840) {
        invalid('value.utc_offset_minutes', 'value.utc_offset_minutes must be an integer from -720 to 840');
      }
      const parts = required(obj, 'parts', 'value.parts');
      if (!Array.isArray(parts) || parts.length === 0 || parts.length > 24) {
        invalid('value.parts', 'value.parts must be 1 to 24 parts');
      }
      const clean = parts.map((p: unknown, i) => {
        const part = object(p, `value.parts[${i}]`, ['from_hour', 'label']);
        const from = required(part, 'from_hour', `value.parts[${i}].from_hour`);
        if (!Number.isInteger(from) || (from as number) < 0 || (from as number) > 23) {
          invalid(`value.parts[${i}].from_hour`, 'from_hour is an integer from 0 to 23');
        }
        return {
          from_hour: from as number,
          label: label(required(part, 'label', `value.parts[${i}].label`), `value.parts[${i}].label`),
        };
      });
      if (clean[0]?.from_hour !== 0) invalid('value.parts[0].from_hour', 'the first part starts at hour 0');
      clean.forEach((p, i) => {
        if (i > 0 && p.from_hour <= (clean[i - 1]?.from_hour ?? -1)) {
          invalid(`value.parts[${i}].from_hour`, 'parts must start at strictly ascending hours');
        }
      });
      return { kind, utc_offset_minutes: offset as number, parts: clean };
    }
    default:
      return invalid('value.kind', 'value.kind must be identity, map, bins or day_part');
  }
}

function parseWindow(raw: unknown): TagWindow {
  if (raw === undefined) return { kind: 'all_time' };
  const obj = object(raw, 'window', ['kind', 'days']);
  const kind = required(obj, 'kind', 'window.kind');
  if (kind === 'all_time') {
    if (obj['days'] !== undefined) invalid('window.days', 'an all_time window has no days');
    return { kind };
  }
  if (kind !== 'rolling') invalid('window.kind', 'window.kind must be all_time or rolling');
  const days = required(obj, 'days', 'window.days');
  if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > MAX_WINDOW_DAYS) {
    invalid('window.days', `window.days must be an integer from 1 to ${MAX_WINDOW_DAYS}`);
  }
  return { kind, days: days as number };
}

function parsePrior(raw: unknown, domain: string[] | null): TagPrior {
  if (raw === undefined) return { strength: 1 };
  const obj = object(raw, 'prior', ['strength', 'distribution']);
  const strength = obj['strength'] ?? 1;
  if (
    typeof strength !== 'number' ||
    !Number.isFinite(strength) ||
    strength < 0 ||
    strength > MAX_PRIOR_STRENGTH
  ) {
    invalid('prior.strength', `prior.strength must be a number from 0 to ${MAX_PRIOR_STRENGTH}`);
  }
  if (obj['distribution'] === undefined) return { strength };
  const dist = object(obj['distribution'], 'prior.distribution', Object.keys(obj['distribution'] ?? {}));
  let sum = 0;
  for (const [value, weight] of Object.entries(dist)) {
    label(value, 'prior.distribution');
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      invalid(`prior.distribution.${value}`, 'a prior weight is a number >= 0');
    }
    if (domain !== null && !domain.includes(value)) {
      invalid(`prior.distribution.${value}`, `${value} is not a value this tag can take`);
    }
    sum += weight;
  }
  if (sum <= 0) invalid('prior.distribution', 'prior.distribution must have a positive weight');
  return { strength, distribution: dist as Record<string, number> };
}

/** Validates an operator's tag definition; every problem is a 4xx ApiError naming the parameter. */
export function parseTagDefinition(name: string, body: unknown): TagDefinitionInput {
  if (!NAME.test(name)) invalid('name', 'a tag name is a-z, 0-9 and _, starting with a letter, at most 40');
  if (BUILTIN_TAG_NAMES.has(name)) invalid('name', `${name} is a built-in tag`);
  const obj = object(body, '', ['description', 'sources', 'value', 'window', 'prior']);
  const value = parseValueRule(required(obj, 'value', 'value'));
  const sources = required(obj, 'sources', 'sources');
  if (!Array.isArray(sources) || sources.length === 0 || sources.length > MAX_SOURCES) {
    invalid('sources', `sources must be 1 to ${MAX_SOURCES} sources`);
  }
  const parsedSources = sources.map((s: unknown, i) =>
    parseSource(s, `sources[${i}]`, value.kind !== 'day_part'),
  );
  const description = obj['description'];
  if (description !== undefined && (typeof description !== 'string' || description.length > 500)) {
    invalid('description', 'description must be a string of at most 500 characters');
  }
  return {
    name,
    ...(description !== undefined ? { description: description as string } : {}),
    sources: parsedSources,
    value,
    window: parseWindow(obj['window']),
    prior: parsePrior(obj['prior'], closedDomain(value)),
  };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What decides a tag's state (not its description or version): a new fingerprint on PUT means a
 * new version and a recompute; the same one leaves the version as it is.
 */
export function definitionFingerprint(def: TagDefinitionInput | TagDefinition): string {
  const { name, sources, value, window, prior } = def;
  return sha256Hex(canonicalJson({ name, sources, value, window, prior }));
}
