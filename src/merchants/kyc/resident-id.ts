/**
 * Resident identity card number (公民身份号码), GB 11643-1999: 6-digit region, 8-digit birth date,
 * 3-digit sequence and an ISO 7064 MOD 11-2 check character ('X' stands for 10).
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

export function residentIdCheckChar(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new RangeError('the check character needs 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** The birth date encoded in an 18-digit number, if it is a real calendar date. */
export function residentIdBirthDate(value: string): Date | undefined {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(value.slice(6, 14));
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? date : undefined;
}

/**
 * null when valid, else why not. `today` bounds the birth date (no one is born tomorrow);
 * upper-case 'X' expected (normalise before calling).
 */
export function checkResidentId(value: string, today: Date): string | null {
  if (!/^[0-9]{17}[0-9X]$/.test(value)) return 'must be 17 digits and a check digit or X';
  if (value[0] === '0') return 'the first six digits must be a region code';
  const birth = residentIdBirthDate(value);
  if (!birth) return 'characters 7–14 must be a real birth date (YYYYMMDD)';
  if (birth.getUTCFullYear() < 1900 || birth.getTime() > today.getTime())
    return 'the birth date is out of range';
  if (residentIdCheckChar(value.slice(0, 17)) !== value[17])
    return 'the check digit (GB 11643) does not match';
  return null;
}
