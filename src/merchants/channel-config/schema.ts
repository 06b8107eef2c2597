import {
  CHANNEL_CONFIG_FIELDS,
  CHANNEL_IDS,
  isChannelId,
  type ConfigFieldSpec,
} from '../../channels/index.js';
import type { ChannelName } from '../tables.js';

/**
 * Per-channel configuration fields, as pure data and checks. A service provider holds the
 * credentials it integrates with (e.g. WeChat sp_mchid + keys); each of its merchants inherits
 * them and adds its own sub-merchant ids. Secret fields are sealed at rest and never returned.
 * The fields and their formats are each channel's own (src/channels/<channel>/config.ts), read
 * here through the channels' registry.
 */

// the merchants module's names for the channels' own values (not copies)
export const CHANNELS = CHANNEL_IDS;

export type FieldSpec = ConfigFieldSpec;

export const CHANNEL_FIELDS = CHANNEL_CONFIG_FIELDS;

export { SUB_MERCHANT_FIELD } from '../../channels/index.js';

export const isChannel = isChannelId;

/** A change to a configuration: a string sets a field, null removes it. */
export type FieldPatch = Record<string, string | null>;

export interface SplitPatch {
  fields: FieldPatch;
  secrets: FieldPatch;
}

export type PatchProblem = {
  code: 'parameter_unknown' | 'validation_failed';
  param: string;
  message: string;
};

/** Checks every field of a patch against the channel's schema and splits public from secret. */
export function checkPatch(channel: ChannelName, patch: FieldPatch): SplitPatch | PatchProblem {
  const specs = CHANNEL_FIELDS[channel];
  const out: SplitPatch = { fields: {}, secrets: {} };
  for (const [name, value] of Object.entries(patch)) {
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) {
      return {
        code: 'parameter_unknown',
        param: name,
        message: `${channel} has no field ${name}; known: ${Object.keys(specs).join(', ')}`,
      };
    }
    if (value !== null && !spec.pattern.test(value))
      return { code: 'validation_failed', param: name, message: `${name} must be ${spec.hint}` };
    (spec.secret ? out.secrets : out.fields)[name] = value;
  }
  return out;
}

/** Applies a patch: null deletes, a string sets; fields not named are kept. */
export function applyPatch(current: Record<string, string>, patch: FieldPatch): Record<string, string> {
  const next = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return next;
}

/** What a configuration level needs to take part in a merchant's effective configuration. */
export interface ConfigLevel {
  enabled: boolean;
}

/**
 * The levels a merchant's configuration is made of, most general first: the holder of its
 * credentials, then its own. The holder is its service provider when that configured the channel,
 * else its institution (a bank that is itself the channels' service provider); never both, so
 * two parties' credentials are never mixed. In force only when some level exists and none is
 * disabled.
 */
export function configLevels<L extends ConfigLevel>(found: {
  provider?: L | undefined;
  institution?: L | undefined;
  own?: L | undefined;
}): { holder: L | undefined; levels: L[]; enabled: boolean } {
  const holder = found.provider ?? found.institution;
  const levels = [holder, found.own].filter((l): l is L => l !== undefined);
  return { holder, levels, enabled: levels.length > 0 && levels.every((l) => l.enabled) };
}

/** The merchant's effective fields from its levels, most general first: a nearer level wins. */
export function effectiveFields(levels: ReadonlyArray<Record<string, string>>): Record<string, string> {
  return Object.assign({}, ...levels) as Record<string, string>;
}
