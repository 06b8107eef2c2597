import fc from 'fast-check';

/**
 * Requests generated from the served OpenAPI document: for each operation, values that fit its
 * schemas (so the fuzz reaches the handlers) and the ways a client gets them wrong (wrong types,
 * sizes, unicode, control characters, broken JSON, odd path segments, missing and extra fields).
 */

export type JsonSchema = Record<string, unknown>;

/** Known good values by id prefix (`mch`, `ord`, …), by other patterns, and by path parameter (`param:code`). */
export type Pools = Record<string, string[]>;

const ID_PATTERN = /^\^([a-z]+)_\[0-9a-z\]\{26\}\$$/;

/** Strings a client should not send, or sends by mistake. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007bell',
  '\u001b[31mred',
  'tab\there',
  'line\nbreak',
  '\u007f',
  '\u0085next line',
  '\ud800',
  'lone \udc00 low',
  '😀👍🏽👨‍👩‍👧',
  '\u202eevil\u202c',
  '\ufeffbom',
  'e\u0301\u0301\u0301',
  '测试商户名称',
  "' or 1=1 --",
  '"; drop table orders; --',
  '%00',
  '../../etc/passwd',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '\u2028\u2029',
  'x'.repeat(129),
  'x'.repeat(5000),
  '9'.repeat(40),
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '2026-13-45T25:61:61Z',
];

const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

/** Any JSON value of another kind than the schema wants, or the right kind with bad content. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -1,
      1.5,
      2 ** 53 + 2,
      -(2 ** 63),
      1e300,
      true,
      false,
      null,
      [],
      {},
      [null],
      { '': '' },
      { __proto__: { polluted: true } },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

function boundedString(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = Number(schema.minLength ?? 0);
  const maxLength = Math.min(Number(schema.maxLength ?? 40), minLength + 40);
  return fc.string({ minLength, maxLength });
}

/** A value that fits `schema` (or nearly: patterns come from stringMatching, lengths are kept). */
export function validValue(schema: JsonSchema | undefined, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (variants?.length) return fc.oneof(...variants.map((v) => validValue(v, pools, depth + 1)));
  const type = Array.isArray(schema.type) ? (schema.type[0] as string) : (schema.type as string | undefined);
  switch (type) {
    case 'string': {
      const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
      const prefix = pattern ? ID_PATTERN.exec(pattern)?.[1] : undefined;
      const pool = pattern ? pools[prefix ?? pattern] : undefined;
      if (pool?.length) return fc.constantFrom(...pool);
      if (pattern) {
        const max = Number(schema.maxLength ?? Infinity);
        return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length <= max);
      }
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      return boundedString(schema);
    }
    case 'integer': {
      const min = Number(schema.minimum ?? -1000);
      const max = Number(schema.maximum ?? 1_000_000);
      // mostly small: a plate batch of 1,000 is valid but slow to print
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min, max: Math.min(max, min + 20) }) },
        fc.integer({ min, max }),
      );
    }
    case 'number':
      return fc.double({
        min: Number(schema.minimum ?? -1e6),
        max: Number(schema.maximum ?? 1e6),
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = validValue(schema.items as JsonSchema | undefined, pools, depth + 1);
      const minLength = Number(schema.minItems ?? 0);
      const maxLength = Math.min(Number(schema.maxItems ?? 3), minLength + 3);
      return schema.uniqueItems
        ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(item, { minLength, maxLength });
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = (schema.required ?? []) as string[];
      const model = Object.fromEntries(
        Object.entries(properties).map(([k, v]) => [k, validValue(v, pools, depth + 1)]),
      );
      const record = fc.record(model, { requiredKeys: required.filter((k) => k in properties) });
      const open = schema.patternProperties ?? schema.additionalProperties;
      if (!open || open === true) return record;
      const valueSchema = Object.values(schema.patternProperties ?? {})[0] ?? schema.additionalProperties;
      return fc
        .tuple(
          record,
          fc.dictionary(
            fc.string({ minLength: 1, maxLength: 12 }),
            validValue(valueSchema as JsonSchema, pools, depth + 1),
            {
              maxKeys: 3,
            },
          ),
        )
        .map(([known, extra]) => ({ ...extra, ...known }));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Ways a JSON object body goes wrong: a missing, extra, retyped or nasty field. */
export function mutatedObject(schema: JsonSchema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys((schema.properties ?? {}) as Record<string, unknown>);
  const asObject = valid.map((v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {},
  );
  const mutations: Array<fc.Arbitrary<unknown>> = [
    fc
      .tuple(asObject, fc.string({ maxLength: 12 }), nastyValue)
      .map(([o, k, v]) => ({ ...o, [k || 'extra']: v })),
  ];
  if (keys.length) {
    const key = fc.constantFrom(...keys);
    mutations.push(
      fc.tuple(asObject, key).map(([o, k]) => {
        const { [k]: _dropped, ...rest } = o;
        return rest;
      }),
      fc.tuple(asObject, key, nastyValue).map(([o, k, v]) => ({ ...o, [k]: v })),
      fc.tuple(asObject, key, nastyString).map(([o, k, v]) => ({ ...o, [k]: v })),
    );
  }
  return fc.oneof(...mutations);
}

/** Raw bodies no JSON schema describes: broken JSON, wrong media types, deep nesting. */
export const rawBodies = fc.constantFrom<{ body: string; contentType?: string }>(
  { body: '', contentType: 'application/json' },
  { body: '{', contentType: 'application/json' },
  { body: '{"a":', contentType: 'application/json' },
  { body: '{"a":1}{', contentType: 'application/json' },
  { body: 'not json', contentType: 'application/json' },
  { body: '\u0000', contentType: 'application/json' },
  { body: '[]', contentType: 'application/json' },
  { body: 'null', contentType: 'application/json' },
  { body: '1', contentType: 'application/json' },
  { body: '"text"', contentType: 'application/json' },
  { body: '1e400', contentType: 'application/json' },
  { body: '{"a":1,"a":2}', contentType: 'application/json' },
  { body: '{"__proto__":{"polluted":true}}', contentType: 'application/json' },
  { body: '{"constructor":{"prototype":{"x":1}}}', contentType: 'application/json' },
  { body: `${'['.repeat(5000)}${']'.repeat(5000)}`, contentType: 'application/json' },
  { body: `{"a":"${'x'.repeat(70 * 1024)}"}`, contentType: 'application/json' },
  { body: '{"name":"x"}', contentType: 'application/json; charset=latin1' },
  { body: '{"name":"x"}', contentType: 'text/plain' },
  { body: 'name=x&amount=1', contentType: 'application/x-www-form-urlencoded' },
  { body: '{"name":"x"}', contentType: 'application/xml' },
  { body: '{"name":"x"}' },
);

/** encodeURIComponent that sends a lone surrogate as the (invalid) bytes a broken client would */
export function encode(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text].map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
  }
}

/** Odd path segments, already encoded for the URL. */
export const oddSegments = fc.oneof(
  fc.constantFrom(
    '%00',
    '..',
    '%2e%2e',
    '%2F',
    'a%2Fb',
    '%ZZ',
    '%E0%A4%A',
    '%C0%AF',
    ' ',
    '%20',
    '~',
    '*',
    'null',
    '0',
  ),
  fc.constantFrom(...NASTY_STRINGS.filter((s) => s !== '')).map(encode),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encode),
);

/** Paths (`a.b.0`) to every string a body schema can hold, through objects, unions and arrays. */
export function stringLeaves(schema: JsonSchema | undefined, path: string[] = [], depth = 0): string[][] {
  if (!schema || depth > 6) return [];
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (variants) {
    const seen = new Set<string>();
    return variants
      .flatMap((v) => stringLeaves(v, path, depth + 1))
      .filter((p) => !seen.has(p.join('.')) && seen.add(p.join('.')));
  }
  const type = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (type.includes('string') && !('const' in schema) && !Array.isArray(schema.enum)) return [path];
  if (type.includes('array')) return stringLeaves(schema.items as JsonSchema, [...path, '0'], depth + 1);
  if (type.includes('object')) {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    return Object.entries(properties).flatMap(([k, v]) => stringLeaves(v, [...path, k], depth + 1));
  }
  return [];
}

/** `value` with `leaf` set at `path`, creating objects and arrays on the way. */
export function setPath(value: unknown, path: string[], leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path as [string, ...string[]];
  if (/^\d+$/.test(head)) {
    const list = Array.isArray(value) ? [...(value as unknown[])] : [];
    list[Number(head)] = setPath(list[Number(head)], rest, leaf);
    return list;
  }
  const object = value && typeof value === 'object' && !Array.isArray(value) ? (value as object) : {};
  return { ...object, [head]: setPath((object as Record<string, unknown>)[head], rest, leaf) };
}

/** Control characters and broken Unicode that no field may hold. */
export const CONTROL_ATTACKS = [
  'a\u0000b',
  '\u0000',
  'bell\u0007',
  'esc\u001b[0m',
  'del\u007f',
  'half \ud800',
];
