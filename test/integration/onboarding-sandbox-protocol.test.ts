import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alipayOnboarding, zftOrderStatus } from '../../src/channels/alipay/onboarding.js';
import { signRequest } from '../../src/channels/wechatpay/protocol/v3-signing.js';
import { applymentStatus, wechatpayOnboarding } from '../../src/channels/wechatpay/onboarding.js';
import { ManualClock, systemClock, unixSeconds } from '../../src/core/clock.js';
import type { ResolvedChannelConfig } from '../../src/merchants/channel-config/store.js';
import { OnboardingRefused, type OnboardingSubmission } from '../../src/merchants/onboarding/channel.js';
import {
  applicationState,
  DEFAULT_ONBOARDING_DELAY_MS,
  parseOnboardingDelay,
  SandboxOnboardingStore,
} from '../../src/sandbox/onboarding/store.js';
import { SANDBOX_PLUGINS } from '../../src/sandbox/plugins.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { alipayConfigFromSandbox } from '../../src/demo/sandbox-configs.js';

/** The onboarding protocol pieces on their own: the sandbox's desk rules, the answer mappings, the wire checks. */

describe('sandbox onboarding desk (pure)', () => {
  it('reads SANDBOX_ONBOARDING_DELAY as whole milliseconds, anything else as the 3 s default', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (n) => parseOnboardingDelay(` ${n} `) === n),
    );
    for (const raw of [undefined, '', 'abc', '-5', '1.5', '3s', '1e4'])
      expect(parseOnboardingDelay(raw)).toBe(DEFAULT_ONBOARDING_DELAY_MS);
  });

  it('is in review until the delay, then approved for good; a rejection wins whenever it came', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.nat(20_000),
        fc.nat(10_000),
        fc.boolean(),
        (submitted, elapsed, delay, rejected) => {
          const app = { submittedAtMs: submitted, ...(rejected ? { rejectedReason: 'no' } : {}) };
          const state = applicationState(app, submitted + elapsed, delay);
          if (rejected) return state === 'rejected';
          if (state === 'approved')
            return elapsed >= delay && applicationState(app, submitted + elapsed + 1, delay) === 'approved';
          return state === 'auditing' && elapsed < delay;
        },
      ),
    );
  });

  it('files each external id once per channel and gives every approval its own sub-merchant id', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('wechatpay' as const, 'alipay' as const),
            fc.string({ minLength: 1, maxLength: 6 }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (codes) => {
          const clock = new ManualClock(0);
          const store = new SandboxOnboardingStore(clock, 100);
          const ids = codes.map(([channel, code]) => store.submit(channel, code, 'm').id);
          const distinct = new Set(codes.map(([c, code]) => `${c}\u0000${code}`));
          expect(new Set(ids).size).toBe(distinct.size);
          expect(store.find(codes[0]![0], ids[0]!)?.state).toBe('auditing');
          clock.advance(100);
          const subs = store.list().map((a) => store.find(a.channel, a.id)!.app.subMerchantId);
          expect(new Set(subs).size).toBe(distinct.size);
          expect(store.reject(codes[0]![0], ids[0]!, 'late')).toBe('already_approved');
        },
      ),
      { numRuns: 50 },
    );
    const store = new SandboxOnboardingStore(new ManualClock(0), 100);
    const app = store.submit('alipay', 'x', 'm');
    expect(store.reject('wechatpay', app.id, 'wrong channel')).toBe('missing');
    expect(store.reject('alipay', app.id, '照片模糊')).toBe('rejected');
    expect(store.find('alipay', app.id)).toMatchObject({
      state: 'rejected',
      app: { rejectedReason: '照片模糊' },
    });
  });
});

describe('channel answers → onboarding status (pure)', () => {
  it('maps WeChat applyment states', () => {
    expect(applymentStatus({ applyment_state: 'APPLYMENT_STATE_AUDITING' })).toEqual({ state: 'auditing' });
    expect(
      applymentStatus({ applyment_state: 'APPLYMENT_STATE_TO_BE_SIGNED', sub_mchid: '1600000001' }),
    ).toEqual({ state: 'auditing' });
    expect(applymentStatus({ applyment_state: 'APPLYMENT_STATE_FINISHED', sub_mchid: '1600000001' })).toEqual(
      { state: 'approved', sub_merchant_id: '1600000001' },
    );
    expect(
      applymentStatus({
        applyment_state: 'APPLYMENT_STATE_REJECTED',
        audit_detail: [{ reject_reason: '身份证模糊' }, { reject_reason: '执照过期' }],
      }),
    ).toEqual({ state: 'rejected', reason: '身份证模糊; 执照过期' });
    expect(
      applymentStatus({ applyment_state: 'APPLYMENT_STATE_CANCELED', applyment_state_msg: '已作废' }),
    ).toEqual({ state: 'rejected', reason: '已作废' });
    expect(() => applymentStatus({ applyment_state: 'APPLYMENT_STATE_FINISHED' })).toThrow(/sub_mchid/);
    expect(() => applymentStatus({ applyment_state: 'SOMETHING_NEW' })).toThrow(/unknown/);
    expect(() => applymentStatus(null)).toThrow(/unknown/);
  });

  it('maps Alipay zft order states', () => {
    expect(zftOrderStatus({ orders: [{ status: '031' }] })).toEqual({ state: 'auditing' });
    expect(zftOrderStatus({ orders: [{ status: '99', smid: '2088000000000001' }] })).toEqual({
      state: 'approved',
      sub_merchant_id: '2088000000000001',
    });
    expect(zftOrderStatus({ orders: [{ status: '-1', reason: '类目不符' }] })).toEqual({
      state: 'rejected',
      reason: '类目不符',
    });
    expect(zftOrderStatus({ orders: [{ status: '-1' }] })).toEqual({ state: 'rejected', reason: '审核失败' });
    expect(() => zftOrderStatus({ orders: [{ status: '99' }] })).toThrow(/smid/);
    expect(() => zftOrderStatus({})).toThrow(/no order/);
  });
});

describe('the sandbox onboarding APIs on the wire', () => {
  let sandbox: TestSandbox;
  let wx: ResolvedChannelConfig;
  let ali: ResolvedChannelConfig;
  const submission = (code: string, phone = '13800138000'): OnboardingSubmission => ({
    business_code: code,
    application_id: 'apl_test',
    merchant_id: 'mch_test',
    kyc: {
      legal_name: '福州测试餐饮有限公司',
      short_name: '测试面馆',
      license_no: '91350100M000100Y43',
      legal_person_name: '张三',
      legal_person_id_no: '11010519491231002X',
      contact_phone: phone,
      mcc: '5812',
      settlement_account: {
        bank_name: '中国工商银行',
        account_name: '福州测试餐饮有限公司',
        account_no: '0200004509200012345',
        account_type: 'corporate',
      },
    },
  });

  beforeAll(async () => {
    sandbox = await startTestSandbox(SANDBOX_PLUGINS);
    const k = sandbox.ctx.keys;
    const base = { merchant_id: 'mch_test', service_provider_id: 'sp_test' };
    wx = {
      ...base,
      channel: 'wechatpay',
      fields: {
        base_url: `${sandbox.url}/wechatpay/`,
        sp_mchid: k.wechatpay.sp_mchid,
        sp_appid: k.wechatpay.sp_appid,
        merchant_serial: k.wechatpay.merchant_serial,
        merchant_private_key: k.wechatpay.merchant_private_key,
        platform_serial: k.wechatpay.platform_public_key_id,
        platform_public_key: k.wechatpay.platform_public_key,
        apiv3_key: k.wechatpay.apiv3_key,
        apiv2_key: k.wechatpay.apiv2_key,
      },
    };
    ali = {
      ...base,
      channel: 'alipay',
      fields: alipayConfigFromSandbox({ ...k.alipay, gateway: '' }, sandbox.url),
    };
  });
  afterAll(() => sandbox.close());

  it('WeChat: the same business_code is the same applyment; it is approved after the delay', async () => {
    const channel = wechatpayOnboarding();
    const first = await channel.submit(submission('B1'), wx);
    expect(first.channel_application_id).toMatch(/^\d{16}$/);
    expect(await channel.submit(submission('B1'), wx)).toEqual(first);
    expect((await channel.submit(submission('B2'), wx)).channel_application_id).not.toBe(
      first.channel_application_id,
    );
    await sandbox.advance(3_000); // SANDBOX_ONBOARDING_DELAY of channel time
    expect(await channel.status(first.channel_application_id, wx)).toMatchObject({
      state: 'approved',
      sub_merchant_id: expect.stringMatching(/^16\d{8}$/),
    });
  });

  it('WeChat: refuses unsigned requests, missing fields and unencrypted sensitive fields', async () => {
    const url = '/wechatpay/v3/applyment4sub/applyment/';
    const k = sandbox.ctx.keys.wechatpay;
    const post = (body: object, headers: Record<string, string> = {}) => {
      const payload = JSON.stringify(body);
      const authorization = signRequest({
        method: 'POST',
        pathAndQuery: url,
        body: payload,
        mchid: k.sp_mchid,
        serialNo: k.merchant_serial,
        privateKey: k.merchant_private_key,
        timestamp: unixSeconds(systemClock),
      });
      return sandbox.app.inject({
        method: 'POST',
        url,
        payload,
        headers: { authorization, 'content-type': 'application/json', ...headers },
      });
    };
    const unsigned = await sandbox.app.inject({
      method: 'POST',
      url,
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().code).toBe('SIGN_ERROR');

    const missing = await post({ business_code: 'X' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: 'subject_info/subject_type' },
    });

    const plain = {
      business_code: 'PLAIN',
      contact_info: { contact_name: '张三', mobile_phone: '13800138000' },
      subject_info: {
        subject_type: 'SUBJECT_TYPE_ENTERPRISE',
        business_license_info: {
          license_number: '91350100M000100Y43',
          merchant_name: 'A',
          legal_person: '张三',
        },
        identity_info: { id_card_info: { id_card_name: '张三', id_card_number: '11010519491231002X' } },
      },
      business_info: { merchant_shortname: 'A' },
      settlement_info: { settlement_id: '716' },
      bank_account_info: {
        bank_account_type: 'BANK_ACCOUNT_TYPE_CORPORATE',
        account_bank: '工商银行',
        account_name: 'A',
        account_number: '1',
      },
    };
    const noSerial = await post(plain);
    expect(noSerial.statusCode).toBe(400);
    expect(noSerial.json().message).toMatch(/Wechatpay-Serial/);
    const unencrypted = await post(plain, { 'wechatpay-serial': k.platform_public_key_id });
    expect(unencrypted.statusCode).toBe(400);
    expect(unencrypted.json().detail.field).toBe('contact_info/contact_name');

    await expect(wechatpayOnboarding().status('9999999999', wx)).rejects.toThrow(/RESOURCE_NOT_EXISTS/);
  });

  it('WeChat: a channel system error is retried (thrown as is), not taken as a refusal', async () => {
    sandbox.ctx.faults.set({ channel: 'wechatpay', operation: 'applyment', mode: 'system_error', count: 1 });
    const error = await wechatpayOnboarding()
      .submit(submission('B3'), wx)
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(OnboardingRefused);
    expect(error).toMatchObject({ kind: 'system_error' });
    expect((await wechatpayOnboarding().submit(submission('B3'), wx)).channel_application_id).toMatch(
      /^\d+$/,
    );
  });

  it('Alipay: files a zft application once per external_id and reports its smid; refuses bad content', async () => {
    const channel = alipayOnboarding(systemClock);
    const first = await channel.submit(submission('Z1'), ali);
    expect(await channel.submit(submission('Z1'), ali)).toEqual(first);
    await sandbox.advance(3_000);
    expect(await channel.status(first.channel_application_id, ali)).toMatchObject({
      state: 'approved',
      sub_merchant_id: expect.stringMatching(/^2088\d{12}$/),
    });

    const refused = await channel.submit(submission('Z2', '12345'), ali).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OnboardingRefused);
    expect((refused as OnboardingRefused).reason).toMatch(/contact_infos\.mobile/);
    await expect(channel.status('nope', ali)).rejects.toThrow(/ORDER_NOT_EXIST/);
  });
});
