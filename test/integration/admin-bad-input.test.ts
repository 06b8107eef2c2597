import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/app.js';
import { describeEachEngine } from '../support/db.js';
import { KYC_APPLICATION } from '../support/kyc.js';

/** stands for the test merchant's id in case bodies, which are built before it exists */
const M = '$MERCHANT';
const MISSING = (prefix: string) => `${prefix}_0000000000zzzzzzzzzzzzzzzz`;
const MY_TAGS = [
  'admin: tenants',
  'admin: apps',
  'admin: channel configuration',
  'admin: onboarding',
  'admin: audit',
];
const APPLICATION = KYC_APPLICATION;

// Every admin endpoint of the tenancy module answers bad input with a 4xx error object naming the
// parameter, never a 5xx.
describeEachEngine('admin API bad input', (ctx) => {
  let t: TestApp;
  let merchant: string;
  let store: string;
  let application: string;

  const send = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: method as 'GET',
      url: `/admin/v1${url}`,
      ...(payload !== undefined
        ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload).replaceAll(M, merchant) }
        : {}),
      headers: {
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
    });

  beforeAll(async () => {
    t = await createTestApp(ctx.database);
    merchant = t.merchantId;
    store = (await send('POST', `/merchants/${merchant}/stores`, { name: 'S' })).json().id;
    application = (await send('POST', '/onboarding', { ...APPLICATION, merchant_id: M })).json().id;
  });
  afterAll(() => t.close());

  const cases: Array<[string, string, () => string, unknown, number, string, string?]> = [
    // [name, method, url, body, status, param, code]
    ['institution without name', 'POST', () => '/institutions', {}, 400, 'name', 'parameter_missing'],
    ['institution with empty name', 'POST', () => '/institutions', { name: '' }, 400, 'name'],
    [
      'institution with an unknown field',
      'POST',
      () => '/institutions',
      { name: 'x', boss: 'y' },
      400,
      'boss',
      'parameter_unknown',
    ],
    ['list with limit 0', 'GET', () => '/institutions?limit=0', undefined, 400, 'limit'],
    ['list with limit 101', 'GET', () => '/merchants?limit=101', undefined, 400, 'limit'],
    ['list with a word for limit', 'GET', () => '/merchants?limit=ten', undefined, 400, 'limit'],
    [
      'list with a cursor of another kind',
      'GET',
      () => `/merchants?starting_after=${MISSING('sto')}`,
      undefined,
      400,
      'starting_after',
    ],
    [
      'list with an unknown filter',
      'GET',
      () => '/merchants?colour=red',
      undefined,
      400,
      'colour',
      'parameter_unknown',
    ],
    ['merchants with an unknown status', 'GET', () => '/merchants?status=closed', undefined, 400, 'status'],
    [
      'service provider of a missing institution',
      'POST',
      () => '/service-providers',
      { name: 'x', institution_id: MISSING('ins') },
      404,
      'institution_id',
    ],
    ['malformed service provider id', 'GET', () => '/service-providers/isp_nope', undefined, 400, 'id'],
    ['missing service provider', 'GET', () => `/service-providers/${MISSING('isp')}`, undefined, 404, 'id'],
    [
      'merchant of a missing service provider',
      'POST',
      () => '/merchants',
      { name: 'x', service_provider_id: MISSING('isp') },
      404,
      'service_provider_id',
    ],
    ['merchant with a numeric name', 'POST', () => '/merchants', { name: 5 }, 400, 'name'],
    ['missing merchant', 'GET', () => `/merchants/${MISSING('mch')}`, undefined, 404, 'id'],
    ['suspend a missing merchant', 'POST', () => `/merchants/${MISSING('mch')}/suspend`, {}, 404, 'id'],
    [
      'suspend with a numeric reason',
      'POST',
      () => `/merchants/${merchant}/suspend`,
      { reason: 5 },
      400,
      'reason',
    ],
    [
      'suspend with an unknown field',
      'POST',
      () => `/merchants/${merchant}/suspend`,
      { why: 'x' },
      400,
      'why',
      'parameter_unknown',
    ],
    [
      'store of a missing merchant',
      'POST',
      () => `/merchants/${MISSING('mch')}/stores`,
      { name: 'x' },
      404,
      'id',
    ],
    [
      'stores of a missing merchant',
      'GET',
      () => `/merchants/${MISSING('mch')}/stores`,
      undefined,
      404,
      'id',
    ],
    ['malformed store id', 'GET', () => '/stores/sto_', undefined, 400, 'id'],
    [
      'terminal in a missing store',
      'POST',
      () => `/stores/${MISSING('sto')}/terminals`,
      { name: 'x' },
      404,
      'id',
    ],
    [
      'terminal with a spaced serial',
      'POST',
      () => `/stores/${store}/terminals`,
      { name: 'x', device_sn: 'a b' },
      400,
      'device_sn',
    ],
    [
      'app with an ftp notify_url',
      'POST',
      () => `/merchants/${merchant}/apps`,
      { name: 'x', notify_url: 'ftp://x' },
      400,
      'notify_url',
    ],
    ['apps of a missing merchant', 'GET', () => `/merchants/${MISSING('mch')}/apps`, undefined, 404, 'id'],
    ['missing app', 'GET', () => `/apps/${MISSING('app')}`, undefined, 404, 'id'],
    ['rotate a missing app', 'POST', () => `/apps/${MISSING('app')}/rotate-secret`, undefined, 404, 'id'],
    ['disable a missing app', 'POST', () => `/apps/${MISSING('app')}/disable`, undefined, 404, 'id'],
    [
      'rotate with a merchant id',
      'POST',
      () => `/apps/${MISSING('mch')}/rotate-secret`,
      undefined,
      400,
      'id',
    ],
    [
      'config for an unknown channel',
      'PUT',
      () => `/merchants/${merchant}/channels/paypal`,
      { fields: {} },
      400,
      'channel',
    ],
    [
      'config field of the wrong type',
      'PUT',
      () => `/merchants/${merchant}/channels/wechatpay`,
      { fields: { sp_mchid: 5 } },
      400,
      'fields.sp_mchid',
    ],
    [
      'config field the channel lacks',
      'PUT',
      () => `/merchants/${merchant}/channels/wechatpay`,
      { fields: { mer_id: 'x' } },
      400,
      'fields.mer_id',
      'parameter_unknown',
    ],
    [
      'config field of the wrong shape',
      'PUT',
      () => `/merchants/${merchant}/channels/wechatpay`,
      { fields: { sub_mchid: 'abc' } },
      422,
      'fields.sub_mchid',
      'validation_failed',
    ],
    [
      'config secret of the wrong shape',
      'PUT',
      () => `/merchants/${merchant}/channels/alipay`,
      { fields: { app_private_key: 'short' } },
      422,
      'fields.app_private_key',
    ],
    [
      'config enabled as a string',
      'PUT',
      () => `/merchants/${merchant}/channels/alipay`,
      { enabled: 'yes' },
      400,
      'enabled',
    ],
    [
      'config unknown top-level field',
      'PUT',
      () => `/merchants/${merchant}/channels/alipay`,
      { smid: '2088000000000001' },
      400,
      'smid',
      'parameter_unknown',
    ],
    [
      'config of a missing provider',
      'PUT',
      () => `/service-providers/${MISSING('isp')}/channels/wechatpay`,
      { fields: {} },
      404,
      'id',
    ],
    [
      'configs of a missing merchant',
      'GET',
      () => `/merchants/${MISSING('mch')}/channels`,
      undefined,
      404,
      'id',
    ],
    [
      'application without a licence',
      'POST',
      () => '/onboarding',
      { ...APPLICATION, license_no: undefined, merchant_id: M },
      400,
      'license_no',
      'parameter_missing',
    ],
    [
      'application with an unknown account field',
      'POST',
      () => '/onboarding',
      {
        ...APPLICATION,
        merchant_id: M,
        settlement_account: { ...APPLICATION.settlement_account, iban: 'x' },
      },
      400,
      'settlement_account.iban',
      'parameter_unknown',
    ],
    [
      'application with a numeric ID number',
      'POST',
      () => '/onboarding',
      { ...APPLICATION, merchant_id: M, legal_person_id_no: 110105194912310020 },
      400,
      'legal_person_id_no',
    ],
    [
      'application for a missing merchant',
      'POST',
      () => '/onboarding',
      { ...APPLICATION, merchant_id: MISSING('mch') },
      404,
      'merchant_id',
    ],
    [
      'application with a wrong licence check character',
      'POST',
      () => '/onboarding',
      { ...APPLICATION, merchant_id: M, license_no: '91350100M000100Y40' },
      422,
      'license_no',
      'validation_failed',
    ],
    [
      'application with a wrong ID check digit',
      'POST',
      () => '/onboarding',
      { ...APPLICATION, merchant_id: M, legal_person_id_no: '110105194912310028' },
      422,
      'legal_person_id_no',
      'validation_failed',
    ],
    [
      'application with an unknown MCC',
      'POST',
      () => '/onboarding',
      { ...APPLICATION, merchant_id: M, mcc: '1234' },
      422,
      'mcc',
    ],
    [
      'application with a bad phone',
      'POST',
      () => '/onboarding',
      { ...APPLICATION, merchant_id: M, contact_phone: '555-1234' },
      422,
      'contact_phone',
    ],
    [
      'application with a short account',
      'POST',
      () => '/onboarding',
      {
        ...APPLICATION,
        merchant_id: M,
        settlement_account: { ...APPLICATION.settlement_account, account_no: '12345' },
      },
      422,
      'settlement_account.account_no',
    ],
    ['applications with an unknown status', 'GET', () => '/onboarding?status=done', undefined, 400, 'status'],
    ['missing application', 'GET', () => `/onboarding/${MISSING('apl')}`, undefined, 404, 'id'],
    [
      'submit to no channel',
      'POST',
      () => `/onboarding/${application}/submit`,
      { channels: [] },
      400,
      'channels',
    ],
    [
      'submit to an unknown channel',
      'POST',
      () => `/onboarding/${application}/submit`,
      { channels: ['paypal'] },
      400,
      'channels.0',
    ],
    [
      'submit to a channel twice',
      'POST',
      () => `/onboarding/${application}/submit`,
      { channels: ['alipay', 'alipay'] },
      400,
      'channels',
    ],
    [
      'submit without configuration',
      'POST',
      () => `/onboarding/${application}/submit`,
      { channels: ['unionpay'] },
      422,
      'channels',
    ],
    [
      'submit a missing application',
      'POST',
      () => `/onboarding/${MISSING('apl')}/submit`,
      { channels: ['alipay'] },
      404,
      'id',
    ],
    [
      'batch of nothing',
      'POST',
      () => '/onboarding/submit-batch',
      { application_ids: [], channels: ['alipay'] },
      400,
      'application_ids',
    ],
    [
      'batch with a malformed id',
      'POST',
      () => '/onboarding/submit-batch',
      { application_ids: ['x'], channels: ['alipay'] },
      400,
      'application_ids.0',
    ],
    [
      'audit log with a word cursor',
      'GET',
      () => '/audit-log?starting_after=abc',
      undefined,
      400,
      'starting_after',
    ],
    [
      'audit log with a malformed merchant',
      'GET',
      () => '/audit-log?merchant_id=mch_x',
      undefined,
      400,
      'merchant_id',
    ],
  ];

  it.each(cases)('%s → 4xx naming the parameter', async (_name, method, url, body, status, param, code) => {
    const res = await send(method, url(), body);
    expect(res.statusCode, res.body).toBe(status);
    const error = res.json().error;
    expect(error).toMatchObject({ param, ...(code ? { code } : {}) });
    expect(error.request_id).toMatch(/^req_/);
  });

  it('refuses requests without the admin token and malformed JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/admin/v1/merchants', payload: { name: 'x' } });
    expect(res.statusCode).toBe(401);
    expect((await send('POST', '/merchants', '{"name":')).json().error.code).toBe('body_invalid_json');
    expect((await send('POST', '/onboarding', '[]')).statusCode).toBe(400);
  });

  it('answers arbitrary bodies, ids and queries on every admin route with a 4xx, never a 5xx', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.tags?.some((tag) => MY_TAGS.includes(tag)))
        .map(([method, op]) => ({ path, method: method.toUpperCase(), tags: op.tags })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(28);
    const segment = fc.oneof(
      fc.constantFrom(
        MISSING('mch'),
        MISSING('app'),
        MISSING('apl'),
        MISSING('sto'),
        MISSING('isp'),
        'wechatpay',
        'x',
        '%00',
        '..',
        merchant,
      ),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
    );
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          name: fc.jsonValue(),
          channels: fc.jsonValue(),
          fields: fc.jsonValue(),
          merchant_id: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      fc.record(
        { ...Object.fromEntries(Object.keys(APPLICATION).map((k) => [k, fc.jsonValue({ maxDepth: 2 })])) },
        { requiredKeys: [] },
      ),
    );
    const query = fc.oneof(
      fc.constant(''),
      fc.constantFrom('?limit=-1', '?limit=1e3', '?starting_after=', '?status=', '?limit=5&limit=6'),
      fc.string({ maxLength: 20 }).map((s) => `?q=${encodeURIComponent(s)}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), segment, json, query, async (route, id, body, q) => {
        const url =
          route.path.replace('/admin/v1', '').replace(/\{[a-z_]+\}/g, id) + (route.method === 'GET' ? q : '');
        const res = await send(route.method, url, route.method === 'GET' ? undefined : body);
        if (res.statusCode >= 500)
          throw new Error(`${route.method} ${url} ${JSON.stringify(body)} → ${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400) expect(res.json().error.type).toBe('invalid_request_error');
      }),
      { numRuns: 400 },
    );
  });
});
