import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { unixSeconds, type Clock } from '../../src/core/clock.js';
import {
  CONTROL_ATTACKS,
  encode,
  NASTY_STRINGS,
  mutatedObject,
  nastyValue,
  oddSegments,
  rawBodies,
  setPath,
  stringLeaves,
  validValue,
  type JsonSchema,
  type Pools,
} from './openapi-fuzz.js';
import { signedHeaders, type Credentials } from './signing.js';

/** Operations of the served OpenAPI document, requests for them, and what an answer must be. */

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI path, `{name}` for path parameters */
  path: string;
  auth: 'merchant' | 'admin' | 'none';
  pathParams: Parameter[];
  queryParams: Parameter[];
  body?: JsonSchema;
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        security?: Array<Record<string, unknown>>;
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
      }
    >
  >;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document; auth from its security requirement. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => {
        const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
        const params = op.parameters ?? [];
        return {
          method: method.toUpperCase(),
          path,
          auth: schemes.includes('merchantSignature')
            ? ('merchant' as const)
            : schemes.includes('adminToken')
              ? ('admin' as const)
              : ('none' as const),
          pathParams: params.filter((p) => p.in === 'path'),
          queryParams: params.filter((p) => p.in === 'query'),
          ...(op.requestBody?.content?.['application/json']?.schema
            ? { body: op.requestBody.content['application/json'].schema }
            : {}),
        };
      }),
  );
}

export interface FuzzRequest {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
  /** forged: an Authorization header with a nasty app id or token in it */
  auth: 'valid' | 'none' | 'wrong' | 'forged';
  forgedCredential?: string;
  accept?: string;
  idempotencyKey?: string;
}

const headerSafe = (s: string) => /^[\t\x20-\x7e]*$/.test(s);

/** A path parameter's value: a known object when the pools have one, else one its schema allows. */
function pathValue(p: Parameter, pools: Pools): fc.Arbitrary<unknown> {
  const named = pools[`param:${p.name}`];
  return named?.length ? fc.constantFrom(...named) : validValue(p.schema, pools);
}

export function requestsFor(op: Operation, pools: Pools): fc.Arbitrary<FuzzRequest> {
  const segment = (p: Parameter) =>
    fc.oneof(
      { weight: 6, arbitrary: pathValue(p, pools).map(encode) },
      { weight: 1, arbitrary: validValue({ ...p.schema, pattern: undefined }, {}).map(encode) },
      { weight: 2, arbitrary: oddSegments },
    );
  const path = fc
    .tuple(...op.pathParams.map(segment))
    .map((values) => op.pathParams.reduce((url, p, i) => url.replace(`{${p.name}}`, values[i]!), op.path));
  const queryPair = (name: string, schema: Record<string, unknown> | undefined) =>
    fc
      .oneof(
        { weight: 5, arbitrary: validValue(schema, pools) },
        { weight: 2, arbitrary: nastyValue },
        { weight: 1, arbitrary: fc.constantFrom(...CONTROL_ATTACKS) },
      )
      .map((v) => `${encode(name)}=${encode(v)}`);
  const query = fc
    .tuple(
      fc.tuple(...op.queryParams.map((p) => fc.option(queryPair(p.name, p.schema), { freq: 2 }))),
      fc.option(
        fc.oneof(
          fc.constantFrom('limit=5&limit=6', 'x=%00', '%00=1', 'a[b]=1', '=', '&&', 'limit', '%ZZ=1'),
          fc.tuple(fc.string({ maxLength: 10 }), nastyValue).map(([k, v]) => `${encode(k)}=${encode(v)}`),
        ),
        { freq: 4 },
      ),
    )
    .map(([pairs, extra]) => [...pairs, extra].filter((p): p is string => !!p).join('&'))
    .map((q) => (q ? `?${q}` : ''));
  const json = (v: unknown) => ({ body: JSON.stringify(v) ?? 'null', contentType: 'application/json' });
  const valid = validValue(op.body ?? { type: 'object', properties: {} }, pools);
  const leaves = stringLeaves(op.body);
  const body: fc.Arbitrary<{ body?: string; contentType?: string }> =
    op.method === 'GET'
      ? fc.constant({})
      : fc.oneof(
          { weight: 4, arbitrary: valid.map(json) },
          {
            weight: 4,
            arbitrary: mutatedObject(op.body ?? { type: 'object', properties: {} }, valid).map(json),
          },
          ...(leaves.length
            ? [
                {
                  weight: 3,
                  arbitrary: fc
                    .tuple(valid, fc.constantFrom(...leaves), fc.constantFrom(...CONTROL_ATTACKS))
                    .map(([v, path, attack]) => json(setPath(v, path, attack))),
                },
              ]
            : []),
          { weight: 1, arbitrary: nastyValue.map(json) },
          { weight: 2, arbitrary: rawBodies },
          { weight: 1, arbitrary: fc.constant({}) },
        );
  return fc
    .record({
      path,
      query,
      body,
      auth: fc.constantFrom<FuzzRequest['auth']>(...Array(8).fill('valid'), 'none', 'wrong', 'forged'),
      forgedCredential: fc.constantFrom(...NASTY_STRINGS),
      accept: fc.constantFrom('application/json', 'application/json', 'text/html', undefined),
      idempotencyKey: fc.option(
        fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }).filter(headerSafe), fc.constant('')),
        { freq: 3 },
      ),
    })
    .map(({ path, query, body, auth, forgedCredential, accept, idempotencyKey }) => ({
      method: op.method,
      url: path + query,
      ...body,
      auth,
      ...(auth === 'forged' ? { forgedCredential } : {}),
      ...(accept ? { accept } : {}),
      ...(idempotencyKey !== null && op.auth === 'merchant' ? { idempotencyKey } : {}),
    }));
}

/** Where an operation's strings go, each with the param an error about it must name. */
export interface StringSlot {
  where: 'path' | 'query' | 'body';
  param: string;
  path: string[];
}

export function stringSlots(op: Operation): StringSlot[] {
  return [
    ...op.pathParams.map((p) => ({ where: 'path' as const, param: p.name, path: [p.name] })),
    ...op.queryParams
      .filter((p) => stringLeaves(p.schema).length > 0)
      .map((p) => ({ where: 'query' as const, param: p.name, path: [p.name] })),
    ...(op.method === 'GET' ? [] : stringLeaves(op.body)).map((path) => ({
      where: 'body' as const,
      param: path.join('.'),
      path,
    })),
  ];
}

/** A valid request for `op` with `attack` in one string slot (valid auth, JSON accepted). */
/**
 * A valid body in which every container on the attacked slot's path exists (an array item that a
 * sample left empty would otherwise be made of the attacked field alone, and fail as a missing
 * sibling instead of the character rule), trying further seeds until one does.
 */
function validBodyHolding(op: Operation, pools: Pools, slot: StringSlot, seed: number): unknown {
  const arbitrary = validValue(op.body ?? { type: 'object' }, pools);
  const holds = (value: unknown, path: string[]): boolean => {
    if (path.length <= 1) return true;
    const [head, ...rest] = path as [string, ...string[]];
    const next = value && typeof value === 'object' ? (value as Record<string, unknown>)[head] : undefined;
    return next !== undefined && holds(next, rest);
  };
  let body: unknown;
  for (let attempt = 0; attempt < 50; attempt++) {
    body = fc.sample(arbitrary, { seed: seed + attempt * 7919, numRuns: 1 })[0];
    if (slot.where !== 'body' || holds(body, slot.path)) return body;
  }
  return body;
}

export function attackRequest(
  op: Operation,
  pools: Pools,
  slot: StringSlot,
  attack: string,
  seed: number,
): FuzzRequest {
  const sample = <T>(arbitrary: fc.Arbitrary<T>) => fc.sample(arbitrary, { seed, numRuns: 1 })[0]!;
  let url = op.path;
  for (const p of op.pathParams) {
    const value =
      slot.where === 'path' && slot.param === p.name ? attack : sample(validValue(p.schema, pools));
    url = url.replace(`{${p.name}}`, encode(value));
  }
  const query = op.queryParams
    .filter((p) => p.required || (slot.where === 'query' && slot.param === p.name))
    .map((p) => {
      const value =
        slot.where === 'query' && slot.param === p.name ? attack : sample(validValue(p.schema, pools));
      return `${encode(p.name)}=${encode(value)}`;
    });
  if (query.length) url += `?${query.join('&')}`;
  const base = op.method === 'GET' ? undefined : validBodyHolding(op, pools, slot, seed);
  const body = slot.where === 'body' ? setPath(base, slot.path, attack) : base;
  return {
    method: op.method,
    url,
    ...(body !== undefined ? { body: JSON.stringify(body), contentType: 'application/json' } : {}),
    auth: 'valid',
    accept: 'application/json',
  };
}

export interface FuzzTarget {
  app: FastifyInstance;
  clock: Clock;
  credentials: Credentials;
  adminToken: string;
}

/** Sends `r` as `op` asks: a signed merchant request on /v1, the admin token on /admin. */
export function send(target: FuzzTarget, op: Operation, r: FuzzRequest) {
  const body = r.body ?? '';
  const headers: Record<string, string> = {
    ...(r.contentType ? { 'content-type': r.contentType } : {}),
    ...(r.accept ? { accept: r.accept } : {}),
    ...(r.idempotencyKey !== undefined ? { 'idempotency-key': r.idempotencyKey } : {}),
  };
  if (op.auth === 'admin' && r.auth !== 'none') {
    const token = { valid: target.adminToken, wrong: 'wrong-token', forged: r.forgedCredential }[r.auth];
    headers.authorization = `Bearer ${token}`;
  }
  if (op.auth === 'merchant' && r.auth === 'forged') {
    const now = unixSeconds(target.clock);
    headers.authorization = `JUHE-HMAC-SHA256 app_id="${r.forgedCredential}",timestamp="${now}",nonce="0123456789abcdef",signature="AA=="`;
  } else if (op.auth === 'merchant' && r.auth !== 'none') {
    const credentials =
      r.auth === 'valid' ? target.credentials : { ...target.credentials, app_secret: 'not-the-secret' };
    headers.authorization = signedHeaders(
      credentials,
      r.method,
      r.url,
      body,
      unixSeconds(target.clock),
    ).authorization!;
  }
  return target.app.inject({
    method: r.method as 'GET',
    url: r.url,
    ...(body ? { payload: body } : {}),
    headers,
  });
}

/** The API error object of a 4xx body, or undefined when the body is not one. */
export function errorObject(body: string): Record<string, unknown> | undefined {
  let error: Record<string, unknown> | undefined;
  try {
    error = (JSON.parse(body) as { error?: Record<string, unknown> }).error;
  } catch {
    return undefined;
  }
  const proper =
    error !== undefined &&
    typeof error.type === 'string' &&
    typeof error.code === 'string' &&
    typeof error.message === 'string' &&
    /^req_/.test(String(error.request_id)) &&
    (error.param === undefined || typeof error.param === 'string');
  return proper ? error : undefined;
}
