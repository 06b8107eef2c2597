/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
 * alphabet (digits and capitals without I, O, Z, S, V). Positions 3–8 are the administrative
 * region (digits); the last character is a mod-31 check over the first 17.
 */

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** The check character for the first 17 characters (which must be from the alphabet). */
export function usccCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError('the check character needs exactly 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i]!);
    if (value < 0) throw new RangeError(`character ${first17[i]} is not in the GB 32100 alphabet`);
    sum += value * WEIGHTS[i]!;
  }
  const check = 31 - (sum % 31);
  return USCC_ALPHABET[check === 31 ? 0 : check]!;
}

/** null when valid, else why not. Upper-case input expected (normalise before calling). */
export function checkUscc(value: string): string | null {
  if (value.length !== 18) return 'must be 18 characters';
  for (const ch of value) {
    if (!USCC_ALPHABET.includes(ch)) return `contains ${JSON.stringify(ch)}, not allowed in a GB 32100 code`;
  }
  if (!/^[0-9]{6}$/.test(value.slice(2, 8))) return 'characters 3–8 must be the administrative region code';
  if (usccCheckChar(value.slice(0, 17)) !== value[17]) return 'the check character (GB 32100) does not match';
  return null;
}
