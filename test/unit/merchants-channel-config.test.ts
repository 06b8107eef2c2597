import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact, REDACTED } from '../../src/merchants/audit.js';
import {
  applyPatch,
  CHANNEL_FIELDS,
  CHANNELS,
  checkPatch,
  configLevels,
  effectiveFields,
  SUB_MERCHANT_FIELD,
} from '../../src/merchants/channel-config/schema.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

describe('channel configuration schema', () => {
  it('splits public from secret fields', () => {
    const split = checkPatch('wechatpay', {
      sp_mchid: '1900000001',
      sub_mchid: '1900000002',
      merchant_private_key: PEM,
      apiv3_key: 'a'.repeat(32),
      platform_serial: 'PUB_KEY_ID_0114232134912410000000000001',
    });
    expect(split).toEqual({
      fields: {
        sp_mchid: '1900000001',
        sub_mchid: '1900000002',
        platform_serial: 'PUB_KEY_ID_0114232134912410000000000001',
      },
      secrets: { merchant_private_key: PEM, apiv3_key: 'a'.repeat(32) },
    });
  });

  it.each([
    ['wechatpay', { sp_mchid: '19x' }, 'validation_failed', 'sp_mchid'],
    ['wechatpay', { apiv3_key: 'short' }, 'validation_failed', 'apiv3_key'],
    ['wechatpay', { merchant_private_key: 'not a pem' }, 'validation_failed', 'merchant_private_key'],
    ['alipay', { smid: '1234' }, 'validation_failed', 'smid'],
    ['alipay', { gateway: 'ftp://x' }, 'validation_failed', 'gateway'],
    ['unionpay', { mer_id: '12345' }, 'validation_failed', 'mer_id'],
    ['unionpay', { sp_mchid: '1900000001' }, 'parameter_unknown', 'sp_mchid'],
    ['alipay', { __proto__x: '1' }, 'parameter_unknown', '__proto__x'],
  ] as const)('%s refuses %j', (channel, patch, code, param) => {
    expect(checkPatch(channel, patch as Record<string, string>)).toMatchObject({ code, param });
  });

  it('lets null remove any known field', () => {
    for (const channel of CHANNELS) {
      for (const name of Object.keys(CHANNEL_FIELDS[channel])) {
        expect(checkPatch(channel, { [name]: null })).not.toHaveProperty('code');
      }
    }
  });

  it('places every sub-merchant id in a field its channel knows, as a public field', () => {
    for (const [channel, field] of Object.entries(SUB_MERCHANT_FIELD)) {
      expect(CHANNEL_FIELDS[channel as keyof typeof CHANNEL_FIELDS][field!]?.secret).toBe(false);
    }
  });

  it('applies patches: set, keep, remove (property)', () => {
    const rec = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.string({ minLength: 1, maxLength: 3 }));
    const patch = fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'd'),
      fc.option(fc.string({ minLength: 1, maxLength: 3 })),
    );
    fc.assert(
      fc.property(rec, patch, (current, p) => {
        const next = applyPatch(current, p);
        return ['a', 'b', 'c', 'd'].every((k) =>
          k in p ? (p[k] === null ? !(k in next) : next[k] === p[k]) : next[k] === current[k],
        );
      }),
    );
  });

  it('lets the merchant override the holder of its credentials field by field', () => {
    expect(effectiveFields([{ sp_mchid: '1', sub_mchid: 'x' }, { sub_mchid: '2' }])).toEqual({
      sp_mchid: '1',
      sub_mchid: '2',
    });
    expect(effectiveFields([])).toEqual({});
  });

  it('takes the credentials from the service provider, else the institution, never both', () => {
    type Level = { name: string; enabled: boolean };
    const level = (name: string, enabled = true): Level => ({ name, enabled });
    const names = (found: { provider?: Level; institution?: Level; own?: Level }) => {
      const r = configLevels(found);
      return { holder: r.holder?.name, levels: r.levels.map((l) => l.name), enabled: r.enabled };
    };
    expect(names({ provider: level('isp'), institution: level('bank'), own: level('mch') })).toEqual({
      holder: 'isp',
      levels: ['isp', 'mch'],
      enabled: true,
    });
    expect(names({ provider: undefined, institution: level('bank'), own: level('mch') })).toEqual({
      holder: 'bank',
      levels: ['bank', 'mch'],
      enabled: true,
    });
    // a provider that switched the channel off does not fall back to the bank
    expect(names({ provider: level('isp', false), institution: level('bank'), own: undefined })).toEqual({
      holder: 'isp',
      levels: ['isp'],
      enabled: false,
    });
    expect(names({ provider: undefined, institution: level('bank'), own: level('mch', false) }).enabled).toBe(
      false,
    );
    expect(names({ provider: undefined, institution: undefined, own: undefined })).toEqual({
      holder: undefined,
      levels: [],
      enabled: false,
    });
  });
});

describe('audit redaction', () => {
  it('hides secret-looking fields at any depth and keeps the rest', () => {
    const out = redact({
      app_secret: 'abc',
      fields: { sp_mchid: '1', merchant_private_key: PEM, app_auth_token: 't' },
      has_secret: { apiv3_key: true },
      list: [{ password: 'p', name: 'n' }],
      secret_rotated_at: '2026-01-01T00:00:00.000Z',
      secret_fields: ['apiv3_key'],
      api_key: 'k',
      apiv2_key: 'k',
      app_key: 'public',
      at: new Date(0),
    });
    expect(out).toEqual({
      app_secret: REDACTED,
      fields: { sp_mchid: '1', merchant_private_key: REDACTED, app_auth_token: REDACTED },
      has_secret: { apiv3_key: true },
      list: [{ password: REDACTED, name: 'n' }],
      secret_rotated_at: '2026-01-01T00:00:00.000Z',
      secret_fields: ['apiv3_key'],
      api_key: REDACTED,
      apiv2_key: REDACTED,
      app_key: 'public',
      at: '1970-01-01T00:00:00.000Z',
    });
  });
});
