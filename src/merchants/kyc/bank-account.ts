/**
 * Settlement account numbers. Chinese banks follow no single check-digit rule for corporate
 * accounts (对公账户, 12–30 digits, each bank its own format), so those are checked for shape only.
 * Personal accounts are bank cards (借记卡, 16–19 digits) whose last digit is a Luhn check digit
 * (ISO/IEC 7812), which every UnionPay card carries.
 */

export type AccountType = 'corporate' | 'personal';

export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The digit that makes `body + digit` pass Luhn. */
export function luhnCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${body}${d}`)) return String(d);
  throw new RangeError('no Luhn digit'); // unreachable for a digit string
}

export function checkAccountNo(value: string, type: AccountType): string | null {
  if (!/^[0-9]+$/.test(value)) return 'must contain digits only';
  if (type === 'personal') {
    if (value.length < 16 || value.length > 19) return 'a personal bank card number has 16–19 digits';
    if (!luhnValid(value)) return 'the card number fails its Luhn check digit';
    return null;
  }
  if (value.length < 12 || value.length > 30) return 'a corporate account number has 12–30 digits';
  return null;
}
