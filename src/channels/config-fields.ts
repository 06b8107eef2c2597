/**
 * The shape of a channel's configuration fields, declared once per channel in its config.ts: which
 * fields exist, which are required or secret (sealed at rest, never returned), and the format the
 * merchants module checks a value against before storing it. The adapter's own parsing
 * (parse…Config / …Settings) then reads the stored fields.
 */
export interface ConfigFieldSpec {
  secret: boolean;
  required: boolean;
  pattern: RegExp;
  /** what a valid value looks like, for the error message */
  hint: string;
  description: string;
}

export type ConfigFields = Readonly<Record<string, ConfigFieldSpec>>;

type Format = Pick<ConfigFieldSpec, 'pattern' | 'hint'>;

/** a field of the given format */
export const field = (
  format: Format,
  description: string,
  options: { secret?: boolean; required?: boolean } = {},
): ConfigFieldSpec => ({
  ...format,
  description,
  secret: options.secret ?? false,
  required: options.required ?? false,
});

export const URL_FORMAT: Format = { pattern: /^https?:\/\/[^\s]{1,1000}$/, hint: 'an http(s) URL' };
const PEM = /^-----BEGIN [A-Z0-9 ]+-----\r?\n[A-Za-z0-9+/=\r\n]+\r?\n?-----END [A-Z0-9 ]+-----\s*$/;
export const PEM_FORMAT: Format = { pattern: PEM, hint: 'a PEM block' };
/** Alipay hands keys out as bare base64 as often as PEM */
export const PEM_OR_BASE64_FORMAT: Format = {
  pattern: new RegExp(`${PEM.source}|^[A-Za-z0-9+/]{64,8000}={0,2}$`),
  hint: 'a PEM block or bare base64 key',
};
export const digits = (min: number, max: number): Format => ({
  pattern: new RegExp(`^[0-9]{${min},${max}}$`),
  hint: `${min}–${max} digits`,
});
export const token = (min: number, max: number): Format => ({
  pattern: new RegExp(`^[\\x21-\\x7e]{${min},${max}}$`),
  hint: `${min}–${max} printable ASCII characters`,
});
export const hex = (min: number, max: number): Format => ({
  pattern: new RegExp(`^[0-9A-Fa-f]{${min},${max}}$`),
  hint: `${min}–${max} hex digits`,
});
export const FLAG_FORMAT: Format = {
  pattern: /^(1|0|true|false)$/,
  hint: '1 or 0 (1: the endpoint is the JuhePay sandbox)',
};
