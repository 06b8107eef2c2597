import { Type, type TObject, type TProperties } from 'typebox';

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

export const IdParam = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` });
