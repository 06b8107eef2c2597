import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { newId } from '../../src/core/ids.js';
import { isPrivateAddress } from '../../src/notifications/address-guard.js';
import { loadWebhookConfig } from '../../src/notifications/config.js';
import { eventBody, eventBodyParts } from '../../src/notifications/events.js';
import { targetProblem } from '../../src/notifications/http-post.js';
import { parseEventFilter, parseTimeRange } from '../../src/notifications/list-query.js';
import { EXCERPT_BYTES, responseExcerpt } from '../../src/notifications/response-excerpt.js';
import {
  attemptOffsetsMs,
  MAX_ATTEMPTS_PER_ROUND,
  nextRetryDelayMs,
  RETRY_DELAYS_MS,
} from '../../src/notifications/schedule.js';
import { signWebhook, verifyWebhook } from '../../src/notifications/verify.js';

describe('webhook retry schedule', () => {
  it('is the CONTRACT §2 schedule: 16 attempts over about 24 h', () => {
    const s = 1000;
    expect(RETRY_DELAYS_MS).toEqual(
      [0, 15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600].map(
        (x) => x * s,
      ),
    );
    expect(attemptOffsetsMs().slice(0, 4)).toEqual([0, 15_000, 30_000, 60_000]);
    expect(attemptOffsetsMs().at(-1)).toBe((24 * 3600 + 240) * s);
  });

  it('gives the next delay after each failed attempt and null after the 16th', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), (made) => {
        const next = nextRetryDelayMs(made);
        if (made < MAX_ATTEMPTS_PER_ROUND) expect(next).toBe(RETRY_DELAYS_MS[made]);
        else expect(next).toBeNull();
      }),
    );
    for (const bad of [0, -1, 1.5, NaN, Infinity]) expect(() => nextRetryDelayMs(bad)).toThrow(RangeError);
  });
});

describe('webhook signatures', () => {
  const token = fc.stringMatching(/^[\x21-\x7e]{16,64}$/);
  it('verifies what it signs, for any body, and refuses any change', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string(),
        token,
        fc.integer({ min: 0, max: 4e9 }),
        (secret, body, nonce, now) => {
          const headers = signWebhook(secret, body, now, nonce);
          expect(verifyWebhook(secret, headers, body, { nowSeconds: now })).toMatchObject({
            ok: true,
            nonce,
          });
          expect(verifyWebhook(secret, headers, `${body} `, { nowSeconds: now })).toMatchObject({
            ok: false,
            reason: 'signature_mismatch',
          });
          expect(verifyWebhook(`${secret}x`, headers, body, { nowSeconds: now }).ok).toBe(false);
          expect(
            verifyWebhook(secret, { ...headers, 'juhe-nonce': `${nonce}x` }, body, { nowSeconds: now }).ok,
          ).toBe(false);
        },
      ),
    );
  });

  it('refuses an old or future timestamp, missing and malformed headers', () => {
    const h = signWebhook('s3cret', '{}', 1_000_000, 'nonce-nonce-nonce-1');
    expect(verifyWebhook('s3cret', h, '{}', { nowSeconds: 1_000_300 }).ok).toBe(true);
    expect(verifyWebhook('s3cret', h, '{}', { nowSeconds: 1_000_301 })).toMatchObject({
      reason: 'timestamp_out_of_tolerance',
    });
    expect(verifyWebhook('s3cret', h, '{}', { nowSeconds: 999_699 }).ok).toBe(false);
    expect(verifyWebhook('s3cret', h, '{}', { nowSeconds: 1_000_400, toleranceSeconds: 600 }).ok).toBe(true);
    expect(verifyWebhook('s3cret', {}, '{}')).toMatchObject({ reason: 'missing_header' });
    expect(verifyWebhook('s3cret', { ...h, 'juhe-timestamp': '12a' }, '{}')).toMatchObject({
      reason: 'malformed_header',
    });
    // header names in any case, arrays (node), Fetch Headers and byte bodies
    const upper = {
      'Juhe-Timestamp': [h['juhe-timestamp']],
      'JUHE-NONCE': h['juhe-nonce'],
      'juhe-signature': h['juhe-signature'],
    };
    expect(verifyWebhook('s3cret', upper, new TextEncoder().encode('{}'), { nowSeconds: 1_000_000 }).ok).toBe(
      true,
    );
    expect(verifyWebhook('s3cret', new Headers({ ...h }), '{}', { nowSeconds: 1_000_000 }).ok).toBe(true);
  });

  it('signs the exact event bytes of CONTRACT §2', () => {
    const id = newId('event', Date.UTC(2026, 0, 1));
    const body = eventBody(id, 'order.succeeded', new Date(Date.UTC(2026, 0, 1)), 3, { id: 'ord_x' });
    expect(JSON.parse(body)).toEqual({
      id,
      object: 'event',
      type: 'order.succeeded',
      created_at: '2026-01-01T00:00:00.000Z',
      sequence: 3,
      data: { object: { id: 'ord_x' } },
    });
    expect(Object.keys(JSON.parse(body))).toEqual(['id', 'object', 'type', 'created_at', 'sequence', 'data']);
  });

  it('writes the same bytes when the database splices the sequence into the body parts', () => {
    // recordEvent stores prefix + sequence + suffix: it must be eventBody to the byte (it is signed)
    const json = fc.dictionary(
      fc.string(),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string())),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.date({
          min: new Date(Date.UTC(2020, 0, 1)),
          max: new Date(Date.UTC(2100, 0, 1)),
          noInvalidDate: true,
        }),
        json,
        (n, at, object) => {
          const id = newId('event', at.getTime());
          const { prefix, suffix } = eventBodyParts(id, 'refund.abnormal', at, object);
          expect(`${prefix}${n}${suffix}`).toBe(eventBody(id, 'refund.abnormal', at, n, object));
        },
      ),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:7f00:1::',
    'not-an-ip',
  ])('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '192.169.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows %s', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('agrees with the IPv4 form for every IPv4-mapped IPv6 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(isPrivateAddress(`::ffff:${ip}`)).toBe(isPrivateAddress(ip));
      }),
    );
  });

  it('checks literal targets before any connection and refuses non-http URLs', () => {
    expect(targetProblem('http://127.0.0.1:9/x', false)).toMatch(/private or loopback/);
    expect(targetProblem('http://[::1]:9/x', false)).toMatch(/private or loopback/);
    expect(targetProblem('http://127.0.0.1:9/x', true)).toBeUndefined();
    expect(targetProblem('https://example.com/hook', false)).toBeUndefined();
    expect(targetProblem('ftp://example.com/hook', false)).toMatch(/http or https/);
    expect(targetProblem('http://user:pw@example.com/', false)).toMatch(/credentials/);
    expect(targetProblem('not a url', true)).toMatch(/not a URL/);
  });
});

describe('response excerpt', () => {
  it('keeps a short text answer whole', () => {
    expect(responseExcerpt(new TextEncoder().encode('SUCCESS 已收到'), false)).toBe('SUCCESS 已收到');
  });

  it('never stores more than ~1 KiB, and never throws, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), (bytes, truncated) => {
        const text = responseExcerpt(bytes, truncated);
        expect(text.length).toBeLessThanOrEqual(EXCERPT_BYTES + 32);
      }),
    );
  });

  it('cuts long text on a character boundary and marks binary answers', () => {
    const long = new TextEncoder().encode('支'.repeat(2000)); // 3 bytes each; 1024 splits one
    const cut = responseExcerpt(long.subarray(0, 4096), true);
    expect(cut).toMatch(/^支{341}…<cut, 4096\+ bytes>$/);
    expect(responseExcerpt(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), false)).toBe(
      '<binary 7 bytes>',
    );
    expect(responseExcerpt(Uint8Array.from([0xff, 0xfe, 0x41]), false)).toBe('<binary 3 bytes>');
  });
});

describe('event list filters', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof ApiError ? [error.code, error.param] : ['not an ApiError'];
    }
    return ['no error'];
  };

  it('accepts well-formed filters', () => {
    const id = newId('event');
    expect(
      parseEventFilter({
        object_id: 'ord_0123456789abcdefghjkmnpqrs',
        type: 'refund.failed',
        status: 'failed',
        created_from: '2026-01-01T08:00:00+08:00',
        created_to: '2026-01-02T00:00:00Z',
        limit: '100',
        starting_after: id,
      }),
    ).toEqual({
      objectId: 'ord_0123456789abcdefghjkmnpqrs',
      type: 'refund.failed',
      status: 'failed',
      createdFrom: new Date('2026-01-01T00:00:00Z'),
      createdTo: new Date('2026-01-02T00:00:00Z'),
      limit: 100,
      startingAfter: id,
    });
    expect(parseEventFilter({})).toEqual({ limit: 20 });
  });

  it('refuses any garbage with a 400 naming the parameter, never another error', () => {
    const keys = [
      'object_id',
      'type',
      'status',
      'created_from',
      'created_to',
      'limit',
      'starting_after',
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.string({ maxLength: 80 }), (key, value) => {
        try {
          parseEventFilter({ [key]: value });
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect((error as ApiError).status).toBe(400);
          expect((error as ApiError).param).toBe(key);
        }
      }),
    );
    expect(code(() => parseEventFilter({ created_from: '2026-02-30T00:00:00Z' }))).toEqual([
      'parameter_invalid',
      'created_from',
    ]);
    expect(
      code(() =>
        parseEventFilter({ created_from: '2026-01-02T00:00:00Z', created_to: '2026-01-01T00:00:00Z' }),
      ),
    ).toEqual(['parameter_invalid', 'created_to']);
    expect(code(() => parseTimeRange({ created_from: '2026-01-01T00:00:00Z' }))).toEqual([
      'parameter_missing',
      'created_to',
    ]);
  });
});

describe('webhook configuration', () => {
  it('allows private targets in embedded mode only, unless told otherwise', () => {
    expect(loadWebhookConfig({}, 'pglite')).toEqual({ allowPrivate: true, timeoutMs: 10_000 });
    expect(loadWebhookConfig({}, 'postgres')).toEqual({ allowPrivate: false, timeoutMs: 10_000 });
    expect(loadWebhookConfig({ JUHEPAY_WEBHOOK_ALLOW_PRIVATE: '1' }, 'postgres').allowPrivate).toBe(true);
    expect(loadWebhookConfig({ JUHEPAY_WEBHOOK_ALLOW_PRIVATE: 'off' }, 'pglite').allowPrivate).toBe(false);
    expect(loadWebhookConfig({ JUHEPAY_WEBHOOK_TIMEOUT_MS: '2500' }, 'pglite').timeoutMs).toBe(2500);
    expect(() => loadWebhookConfig({ JUHEPAY_WEBHOOK_ALLOW_PRIVATE: 'maybe' }, 'pglite')).toThrow(
      /^JUHEPAY_WEBHOOK_ALLOW_PRIVATE: /,
    );
    expect(() => loadWebhookConfig({ JUHEPAY_WEBHOOK_TIMEOUT_MS: '5s' }, 'pglite')).toThrow(
      /^JUHEPAY_WEBHOOK_TIMEOUT_MS: /,
    );
  });
});
