import { Type, type TObject, type TProperties, type TStringOptions } from 'typebox';
import { CHARACTERS_KEYWORD } from './characters.js';

/** Objects refuse unknown properties: an unexpected field is a 400 naming it, never silently dropped. */
export function Strict<T extends TProperties>(
  properties: T,
  options: { description?: string } = {},
): TObject<T> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      type: Type.String(),
      code: Type.String(),
      message: Type.String(),
      param: Type.Optional(Type.String()),
      request_id: Type.Optional(Type.String()),
    }),
  },
  { $id: 'Error', description: 'The API error object (CONTRACT §2)' },
);

/**
 * Free text: every character but the C0/C1 controls other than tab, LF and CR (characters.ts).
 * A string schema that names no rule is text anyway, unless its property name says identifier.
 */
export const Text = (options: TStringOptions = {}) =>
  Type.String({ ...options, [CHARACTERS_KEYWORD]: 'text' });

/** An identifier, number or code: no control character at all. */
export const Identifier = (options: TStringOptions = {}) =>
  Type.String({ ...options, [CHARACTERS_KEYWORD]: 'identifier' });

export const IdParam = (prefix: string) =>
  Identifier({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` });
