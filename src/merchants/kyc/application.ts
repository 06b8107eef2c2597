import { checkAccountNo, type AccountType } from './bank-account.js';
import { checkPhone } from './contact.js';
import { checkMcc } from './mcc.js';
import { checkResidentId } from './resident-id.js';
import { checkUscc } from './uscc.js';

/** The KYC fields of an onboarding application (CONTRACT §3) and their semantic checks. */

export interface SettlementAccountInput {
  bank_name: string;
  account_name: string;
  account_no: string;
  /** default corporate: the licence holder's own 对公 account */
  account_type?: AccountType;
}

export interface KycInput {
  legal_name: string;
  short_name: string;
  license_no: string;
  legal_person_name: string;
  legal_person_id_no: string;
  contact_phone: string;
  mcc: string;
  settlement_account: SettlementAccountInput;
}

export interface Kyc extends KycInput {
  settlement_account: Required<SettlementAccountInput>;
}

export interface KycProblem {
  param: string;
  message: string;
}

/** Trims, upper-cases the codes that carry letters and fills defaults, without judging. */
export function normaliseKyc(input: KycInput): Kyc {
  const account = input.settlement_account;
  return {
    legal_name: input.legal_name.trim(),
    short_name: input.short_name.trim(),
    license_no: input.license_no.trim().toUpperCase(),
    legal_person_name: input.legal_person_name.trim(),
    legal_person_id_no: input.legal_person_id_no.trim().toUpperCase(),
    contact_phone: input.contact_phone.trim(),
    mcc: input.mcc.trim(),
    settlement_account: {
      bank_name: account.bank_name.trim(),
      account_name: account.account_name.trim(),
      account_no: account.account_no.replace(/[\s-]/g, ''),
      account_type: account.account_type ?? 'corporate',
    },
  };
}

/**
 * The first problem with normalised KYC fields, or null. Channels refuse a settlement account
 * whose holder is not the applicant: a corporate account must be in the licence holder's name,
 * a personal one in the legal person's, so that is checked here rather than after days of review.
 */
export function validateKyc(kyc: Kyc, today: Date): KycProblem | null {
  const problem = (param: string, reason: string | null, label: string) =>
    reason === null ? null : { param, message: `${label} ${reason}` };
  const account = kyc.settlement_account;
  const required: Array<[string, string]> = [
    ['legal_name', kyc.legal_name],
    ['short_name', kyc.short_name],
    ['legal_person_name', kyc.legal_person_name],
    ['settlement_account.bank_name', account.bank_name],
    ['settlement_account.account_name', account.account_name],
  ];
  for (const [param, value] of required) {
    if (value === '') return { param, message: `${param} must not be blank` };
  }
  const holder = account.account_type === 'corporate' ? kyc.legal_name : kyc.legal_person_name;
  const holderField = account.account_type === 'corporate' ? 'legal_name' : 'legal_person_name';
  return (
    problem('license_no', checkUscc(kyc.license_no), 'license_no (unified social credit code)') ??
    problem(
      'legal_person_id_no',
      checkResidentId(kyc.legal_person_id_no, today),
      'legal_person_id_no (resident ID)',
    ) ??
    problem('contact_phone', checkPhone(kyc.contact_phone), 'contact_phone') ??
    problem('mcc', checkMcc(kyc.mcc), 'mcc') ??
    problem(
      'settlement_account.account_no',
      checkAccountNo(account.account_no, account.account_type),
      'settlement_account.account_no',
    ) ??
    (account.account_name === holder
      ? null
      : {
          param: 'settlement_account.account_name',
          message: `a ${account.account_type} settlement account must be held by ${holderField} (${holder})`,
        })
  );
}

/** Shows the start and end of a sensitive number, e.g. 1101**********002X. */
export function maskNumber(value: string, keepStart = 4, keepEnd = 4): string {
  if (value.length <= keepStart + keepEnd) return '*'.repeat(value.length);
  return value.slice(0, keepStart) + '*'.repeat(value.length - keepStart - keepEnd) + value.slice(-keepEnd);
}
