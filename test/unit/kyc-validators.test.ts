import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAccountNo, luhnCheckDigit, luhnValid } from '../../src/merchants/kyc/bank-account.js';
import { checkPhone } from '../../src/merchants/kyc/contact.js';
import { checkMcc, MCC_CODES } from '../../src/merchants/kyc/mcc.js';
import { checkResidentId, residentIdCheckChar } from '../../src/merchants/kyc/resident-id.js';
import { checkUscc, USCC_ALPHABET, usccCheckChar } from '../../src/merchants/kyc/uscc.js';

const TODAY = new Date(Date.UTC(2026, 10, 25));
const alphabetChar = fc.constantFrom(...USCC_ALPHABET.split(''));
const digit = fc.constantFrom(...'0123456789'.split(''));

/** 17 characters of a code: two alphabet chars, six region digits, nine alphabet chars. */
const usccBody = fc
  .tuple(
    fc.array(alphabetChar, { minLength: 2, maxLength: 2 }),
    fc.array(digit, { minLength: 6, maxLength: 6 }),
    fc.array(alphabetChar, { minLength: 9, maxLength: 9 }),
  )
  .map(([a, b, c]) => [...a, ...b, ...c].join(''));

describe('GB 32100 unified social credit code', () => {
  it.each(['91350100M000100Y43', '91110000100017643K', '91330100716105852F', '911100007109250324'])(
    'accepts the published code %s',
    (code) => expect(checkUscc(code)).toBeNull(),
  );

  it('refuses wrong length, letters outside the alphabet and a non-numeric region', () => {
    expect(checkUscc('91350100M000100Y4')).toMatch(/18/);
    expect(checkUscc('91350100M000100YI3')).toMatch(/not allowed/);
    expect(checkUscc('91350100M000100Y4S')).toMatch(/not allowed/);
    expect(checkUscc('913A0100M000100Y43')).toMatch(/region/);
    expect(checkUscc('91350100M000100Y44')).toMatch(/check character/);
  });

  it('accepts every body followed by its computed check character', () => {
    fc.assert(fc.property(usccBody, (body) => checkUscc(body + usccCheckChar(body)) === null));
  });

  it('detects every single-character substitution', () => {
    fc.assert(
      fc.property(usccBody, fc.integer({ min: 0, max: 17 }), alphabetChar, (body, at, replacement) => {
        const code = body + usccCheckChar(body);
        fc.pre(code[at] !== replacement && !(at >= 2 && at <= 7 && !/[0-9]/.test(replacement)));
        const changed = code.slice(0, at) + replacement + code.slice(at + 1);
        return checkUscc(changed) !== null;
      }),
    );
  });

  it('detects every swap of two different adjacent characters', () => {
    fc.assert(
      fc.property(usccBody, fc.integer({ min: 0, max: 16 }), (body, at) => {
        const code = body + usccCheckChar(body);
        fc.pre(code[at] !== code[at + 1]);
        const swapped = code.slice(0, at) + code[at + 1] + code[at] + code.slice(at + 2);
        return checkUscc(swapped) !== null;
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => typeof (checkUscc(s) ?? '') === 'string'));
  });
});

const birthDate = fc
  .date({ min: new Date(Date.UTC(1900, 0, 1)), max: TODAY, noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10).replace(/-/g, ''));
const residentBody = fc
  .tuple(fc.integer({ min: 110000, max: 659999 }), birthDate, fc.integer({ min: 0, max: 999 }))
  .map(([region, birth, seq]) => `${region}${birth}${String(seq).padStart(3, '0')}`);

describe('GB 11643 resident ID', () => {
  it('accepts the standard’s example and refuses it with another check digit', () => {
    expect(checkResidentId('11010519491231002X', TODAY)).toBeNull();
    expect(checkResidentId('110105194912310021', TODAY)).toMatch(/check digit/);
  });

  it('refuses impossible or future birth dates and bad shapes', () => {
    const withDate = (d: string) => {
      const body = `110105${d}002`;
      return body + residentIdCheckChar(body);
    };
    expect(checkResidentId(withDate('19490230'), TODAY)).toMatch(/birth date/);
    expect(checkResidentId(withDate('20270101'), TODAY)).toMatch(/out of range/);
    expect(checkResidentId(withDate('18991231'), TODAY)).toMatch(/out of range/);
    expect(checkResidentId('11010519491231002x', TODAY)).toMatch(/digits/); // callers upper-case first
    expect(checkResidentId('1101051949123100', TODAY)).toMatch(/digits/);
  });

  it('accepts every valid body followed by its check character', () => {
    fc.assert(
      fc.property(residentBody, (body) => checkResidentId(body + residentIdCheckChar(body), TODAY) === null),
    );
  });

  it('detects every single-digit substitution', () => {
    fc.assert(
      fc.property(
        residentBody,
        fc.integer({ min: 0, max: 17 }),
        fc.constantFrom(...'0123456789X'.split('')),
        (body, at, r) => {
          const id = body + residentIdCheckChar(body);
          fc.pre(id[at] !== r && (at === 17 || r !== 'X'));
          return checkResidentId(id.slice(0, at) + r + id.slice(at + 1), TODAY) !== null;
        },
      ),
    );
  });
});

describe('bank accounts', () => {
  it('Luhn: a computed check digit passes and any single change fails', () => {
    fc.assert(
      fc.property(
        fc.array(digit, { minLength: 15, maxLength: 18 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (ds, pos, delta) => {
          const body = ds.join('');
          const card = body + luhnCheckDigit(body);
          if (!luhnValid(card) || checkAccountNo(card, 'personal') !== null) return false;
          const at = pos % card.length;
          const changed = card.slice(0, at) + String((Number(card[at]) + delta) % 10) + card.slice(at + 1);
          return !luhnValid(changed);
        },
      ),
    );
  });

  it('personal cards need 16–19 digits and Luhn; corporate accounts 12–30 digits, no check digit', () => {
    expect(checkAccountNo('4111111111111111', 'personal')).toBeNull();
    expect(checkAccountNo('4111111111111112', 'personal')).toMatch(/Luhn/);
    expect(checkAccountNo('411111111111111', 'personal')).toMatch(/16–19/);
    expect(checkAccountNo('0200004509200012345', 'corporate')).toBeNull();
    expect(checkAccountNo('12345678901', 'corporate')).toMatch(/12–30/);
    expect(checkAccountNo('1234 5678 9012', 'corporate')).toMatch(/digits only/);
  });
});

describe('phone and MCC', () => {
  it.each(['13800138000', '19912345678', '010-62345678', '02162345678', '0755-2345678'])('accepts %s', (p) =>
    expect(checkPhone(p)).toBeNull(),
  );
  it.each(['12800138000', '1380013800', '+8613800138000', '010-0234567', '010-12345678', 'abc', ''])(
    'refuses %s',
    (p) => expect(checkPhone(p)).not.toBeNull(),
  );
  it('accepts listed MCCs only', () => {
    expect(Object.keys(MCC_CODES).length).toBeGreaterThan(50);
    for (const code of Object.keys(MCC_CODES)) expect(checkMcc(code)).toBeNull();
    expect(checkMcc('0000')).toMatch(/not an accepted/);
    expect(checkMcc('58123')).toMatch(/4-digit/);
    expect(checkMcc('toString')).not.toBeNull();
  });
});
