/** Mainland China phone numbers: a mobile number, or a landline with its area code. */

const MOBILE = /^1[3-9][0-9]{9}$/;
// area code 0 + 2–3 digits (010, 021, 0755 …), optional dash, 7–8 digit local number not starting 0/1
const LANDLINE = /^0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}$/;

export function checkPhone(value: string): string | null {
  if (MOBILE.test(value) || LANDLINE.test(value)) return null;
  return 'must be a mainland mobile number (1[3-9] + 9 digits) or a landline with area code (e.g. 010-62345678)';
}
