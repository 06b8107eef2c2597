/**
 * Which characters a request string may hold. PostgreSQL text and jsonb cannot store NUL, and no
 * API field has a use for the other control characters, so every string in a request schema is
 * checked once, at validation:
 *
 * - `text` (the default): no C0 control except tab, LF and CR, no DEL, no C1 control;
 * - `identifier`: no control character at all (ids, numbers, codes, keys of open objects).
 *
 * Both refuse lone UTF-16 surrogates, which cannot be encoded and would be stored as U+FFFD.
 * A string property named `id` or ending in `_id`, `_no`, `_code` or `_key` is an identifier
 * unless its schema says otherwise; `Identifier()` / `Text()` in schemas.ts say it explicitly.
 */

export const CHARACTERS_KEYWORD = 'x-characters';
export type CharacterRule = 'text' | 'identifier';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const TEXT_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- likewise
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const CHARACTER_PROBLEMS = {
  text: 'must not contain control characters (U+0000–U+001F other than tab, LF and CR, or U+007F–U+009F)',
  identifier: 'must not contain control characters (U+0000–U+001F or U+007F–U+009F)',
  surrogate: 'must be well-formed Unicode (it holds a lone surrogate)',
} as const;

/** What is wrong with `value` under `rule`, or undefined when nothing is. */
export function characterProblem(value: string, rule: CharacterRule): string | undefined {
  if ((rule === 'identifier' ? ANY_CONTROL : TEXT_CONTROLS).test(value)) return CHARACTER_PROBLEMS[rule];
  if (LONE_SURROGATE.test(value)) return CHARACTER_PROBLEMS.surrogate;
  return undefined;
}

const IDENTIFIER_NAME = /^(id|.*_(id|no|code|key))$/;

/** The rule a string property gets when its schema names none. */
export function defaultRule(propertyName: string | undefined): CharacterRule {
  return propertyName !== undefined && IDENTIFIER_NAME.test(propertyName) ? 'identifier' : 'text';
}
