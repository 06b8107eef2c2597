import { describe, expect, it } from 'vitest';
import { maskNumber, normaliseKyc, validateKyc, type KycInput } from '../../src/merchants/kyc/application.js';
import { KYC_APPLICATION } from '../support/kyc.js';

const TODAY = new Date(Date.UTC(2026, 10, 25));

const VALID: KycInput = KYC_APPLICATION;

const check = (patch: Partial<KycInput>) => validateKyc(normaliseKyc({ ...VALID, ...patch }), TODAY);

describe('KYC application validation', () => {
  it('accepts a valid application, normalising case and spacing', () => {
    expect(check({})).toBeNull();
    const kyc = normaliseKyc({
      ...VALID,
      license_no: ' 91350100m000100y43 ',
      legal_person_id_no: '11010519491231002x',
    });
    expect(kyc.license_no).toBe('91350100M000100Y43');
    expect(kyc.legal_person_id_no).toBe('11010519491231002X');
    expect(kyc.settlement_account.account_type).toBe('corporate');
    expect(validateKyc(kyc, TODAY)).toBeNull();
  });

  it.each([
    ['license_no', { license_no: '91350100M000100Y44' }, /GB 32100/],
    ['legal_person_id_no', { legal_person_id_no: '110105194912310021' }, /GB 11643/],
    ['contact_phone', { contact_phone: '12345' }, /mobile/],
    ['mcc', { mcc: '0001' }, /not an accepted/],
    ['legal_name', { legal_name: '   ' }, /blank/],
  ] as const)('names %s when it is wrong', (param, patch, message) => {
    const problem = check(patch as Partial<KycInput>);
    expect(problem?.param).toBe(param);
    expect(problem?.message).toMatch(message);
  });

  it('checks the settlement account number and its holder by account type', () => {
    const account = VALID.settlement_account;
    expect(check({ settlement_account: { ...account, account_no: '123' } })?.param).toBe(
      'settlement_account.account_no',
    );
    expect(
      check({
        settlement_account: {
          ...account,
          account_type: 'personal',
          account_no: '4111111111111112',
          account_name: '张三',
        },
      })?.param,
    ).toBe('settlement_account.account_no');
    expect(
      check({
        settlement_account: {
          ...account,
          account_type: 'personal',
          account_no: '4111111111111111',
          account_name: '张三',
        },
      }),
    ).toBeNull();
    expect(check({ settlement_account: { ...account, account_name: '别人' } })?.param).toBe(
      'settlement_account.account_name',
    );
  });

  it('masks all but the ends of a number', () => {
    expect(maskNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskNumber('1234')).toBe('****');
  });
});
