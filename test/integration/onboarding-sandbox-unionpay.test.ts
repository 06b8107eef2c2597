import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  registerOrderId,
  registerRequestFields,
  registerStatus,
  registrationProvider,
  UNIONPAY_REGISTER_PATHS,
} from '../../src/channels/unionpay/onboarding.js';
import { ChannelError } from '../../src/channels/channel.js';
import { encodeForm, parseAcpResponse } from '../../src/channels/unionpay/protocol/form.js';
import { signAcpMessage } from '../../src/channels/unionpay/protocol/signature.js';
import { resolveChannelConfig } from '../../src/merchants/channel-config/store.js';
import type { OnboardingSubmission } from '../../src/merchants/onboarding/channel.js';
import { registerFieldProblem } from '../../src/sandbox/onboarding/unionpay-register.js';
import { describeEachEngine } from '../support/db.js';
import { useOnboardingSandboxes } from '../support/onboarding.js';
import { KYC_APPLICATION } from '../support/kyc.js';

/** UnionPay merchant registration: the pure mappings, then end to end through the admin API and the sandbox. */

const APPLICATION = KYC_APPLICATION;

const SUBMISSION: OnboardingSubmission = {
  business_code: 'onb_01JABCDEFGHJKMNPQRSTVWXYZ0_unionpay_1',
  application_id: 'onb_01JABCDEFGHJKMNPQRSTVWXYZ0',
  merchant_id: 'mch_1',
  kyc: {
    ...APPLICATION,
    settlement_account: { ...APPLICATION.settlement_account, account_type: 'corporate' },
  },
} as OnboardingSubmission;

describe('unionpay registration mappings (pure)', () => {
  it('maps any business code to a stable ACP orderId of 8–40 letters and digits', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (code) => {
        const id = registerOrderId(code);
        return /^[0-9A-Za-z]{8,40}$/.test(id) && registerOrderId(code) === id;
      }),
    );
    expect(registerOrderId(SUBMISSION.business_code)).toBe('onb01JABCDEFGHJKMNPQRSTVWXYZ0unionpay1');
    // two codes that strip to the same too-long text still differ
    const a = `${'x'.repeat(41)}_1`;
    const b = `${'x'.repeat(41)}-1`;
    expect(registerOrderId(a)).not.toBe(registerOrderId(b));
  });

  it('reads the query answer: approved needs a 15-character merId, rejected keeps the reason', () => {
    expect(registerStatus({ respCode: '00', registerStatus: 'auditing' })).toEqual({ state: 'auditing' });
    expect(
      registerStatus({ respCode: '00', registerStatus: 'approved', newMerId: '777290059000001' }),
    ).toEqual({
      state: 'approved',
      sub_merchant_id: '777290059000001',
    });
    expect(registerStatus({ respCode: '00', registerStatus: 'rejected', rejectReason: '证照不符' })).toEqual({
      state: 'rejected',
      reason: '证照不符',
    });
    for (const bad of <Array<Record<string, string>>>[
      { respCode: '00', registerStatus: 'approved', newMerId: '123' },
      { respCode: '00', registerStatus: 'weird' },
      { respCode: '34' },
    ])
      expect(() => registerStatus(bad)).toThrow(ChannelError);
  });

  it('the request carries every KYC field the sandbox asks for, and the sandbox rules catch bad ones', () => {
    const provider = { baseUrl: 'http://x/', certId: '1', signPrivateKeyPem: '', trust: { roots: [] } };
    const fields = registerRequestFields(provider, SUBMISSION);
    expect(fields).toMatchObject({
      txnType: 'A1',
      accessType: '1',
      legalIdNo: APPLICATION.legal_person_id_no,
    });
    expect(fields.merId).toBeUndefined();
    expect(registerFieldProblem(fields)).toBeUndefined();
    expect(registerRequestFields({ ...provider, merId: '777290058110097' }, SUBMISSION).merId).toBe(
      '777290058110097',
    );
    for (const [field, value, word] of [
      ['mcc', '58', 'mcc'],
      ['contactPhone', '2380013800', 'contactPhone'],
      ['orderId', 'a_b', 'orderId'],
      ['legalIdNo', '123', 'legalIdNo'],
      ['settleAcctNo', 'abc', 'settleAcctNo'],
    ] as const)
      expect(registerFieldProblem({ ...fields, [field]: value })).toContain(word);
  });

  it('a configuration without the signing fields is a config error naming the field', () => {
    expect(() => registrationProvider({ base_url: 'http://x/' })).toThrow(/cert_id/);
    expect(() => registrationProvider({})).toThrow(/base_url/);
  });
});

describeEachEngine('unionpay registration against the sandbox', (ctx) => {
  const env = useOnboardingSandboxes(ctx, { quick: 'Quick Acquirer', slow: 'Slow Acquirer' });
  const { providers, runJobsFor, status } = env;
  const apply = (provider: string, name: string) => env.apply(provider, name, ['unionpay']);

  it('gets a registration approved within a minute, the new mer_id in the merchant’s effective config', async () => {
    const { merchantId, id } = await apply(providers.quick, 'Dumpling House');
    const took = await runJobsFor(60, async () => (await status(id)).status === 'approved');
    expect(took).toBeLessThan(60);
    const final = await status(id);
    expect(final.channels.unionpay).toMatchObject({
      status: 'approved',
      sub_merchant_id: expect.stringMatching(/^777290059\d{6}$/),
      channel_application_id: expect.stringMatching(/^MR\d+$/),
    });
    const filed = (await env.quick.app.inject({ url: '/sandbox/onboarding' })).json().data as Array<
      Record<string, unknown>
    >;
    expect(
      filed.find(
        (a) =>
          a.channel === 'unionpay' && a.application_id === final.channels.unionpay.channel_application_id,
      ),
    ).toMatchObject({
      state: 'approved',
      merchant_name: APPLICATION.legal_name,
      external_id: expect.stringContaining(id.replace(/_/g, '')),
    });

    const config = await resolveChannelConfig(ctx.database.db, env.t.ctx.box, merchantId, 'unionpay');
    expect(config?.fields).toMatchObject({
      cert_id: env.quick.ctx.keys.unionpay.cert_id,
      mer_id: final.channels.unionpay.sub_merchant_id,
    });
  });

  it('shows the sandbox’s reason when it rejects a registration', async () => {
    const { merchantId, id } = await apply(providers.slow, 'Blurry Licence');
    await runJobsFor(5, async () => (await status(id)).channels.unionpay.status === 'auditing');
    const auditing = (await status(id)).channels.unionpay;
    expect(auditing.status).toBe('auditing');
    const reason = '营业执照与法人信息不符 & 需补件';
    const res = await env.slow.app.inject({
      method: 'POST',
      url: '/sandbox/onboarding/reject',
      payload: { channel: 'unionpay', application_id: auditing.channel_application_id, reason },
    });
    expect(res.statusCode, res.body).toBe(200);
    const took = await runJobsFor(120, async () => (await status(id)).status === 'rejected');
    expect(took).toBeLessThan(120);
    expect((await status(id)).channels.unionpay).toMatchObject({
      status: 'rejected',
      reason: '营业执照与法人信息不符 ＆ 需补件',
      sub_merchant_id: null,
    });
    const config = await resolveChannelConfig(ctx.database.db, env.t.ctx.box, merchantId, 'unionpay');
    expect(config?.fields.mer_id).toBeUndefined();
  });

  it('refuses a registration signed with another key (11), a missing KYC field (13) and an unknown registerId (34)', async () => {
    const keys = env.quick.ctx.keys.unionpay;
    const post = async (path: string, fields: Record<string, string>, key: string) => {
      const res = await env.quick.app.inject({
        method: 'POST',
        url: `/unionpay/${path}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        payload: encodeForm(signAcpMessage(fields, key)),
      });
      expect(res.statusCode).toBe(200);
      return parseAcpResponse(res.body.trim());
    };
    const provider = {
      baseUrl: env.quick.url,
      certId: keys.cert_id,
      signPrivateKeyPem: '',
      trust: { roots: [] },
    };
    const fields = registerRequestFields(provider, { ...SUBMISSION, business_code: 'forged_1' });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    expect((await post(UNIONPAY_REGISTER_PATHS.register, fields, stranger)).respCode).toBe('11');
    const { mcc: _mcc, ...noMcc } = fields;
    expect((await post(UNIONPAY_REGISTER_PATHS.register, noMcc, keys.sign_private_key)).respCode).toBe('13');
    const ok = await post(UNIONPAY_REGISTER_PATHS.register, fields, keys.sign_private_key);
    expect(ok).toMatchObject({ respCode: '00', registerId: expect.stringMatching(/^MR\d+$/) });
    const query = { ...fields, txnType: 'A2', registerId: 'MR000' };
    expect((await post(UNIONPAY_REGISTER_PATHS.query, query, keys.sign_private_key)).respCode).toBe('34');
    const forgedQuery = { ...query, registerId: ok.registerId! };
    expect((await post(UNIONPAY_REGISTER_PATHS.query, forgedQuery, stranger)).respCode).toBe('11');
  });
});
