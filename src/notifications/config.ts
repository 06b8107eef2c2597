import { ConfigError } from '../platform/config.js';
import type { Engine } from '../platform/db/index.js';
import { DEFAULT_TIMEOUT_MS } from './http-post.js';

/**
 * Webhook settings from the environment, parsed here so the module is self-contained:
 *  - JUHEPAY_WEBHOOK_ALLOW_PRIVATE (1/0): allow loopback and private-network notify URLs.
 *    Default: allowed in embedded mode (PGlite; everything runs on one machine), refused with
 *    PostgreSQL (production), where a merchant-chosen URL must not reach inside the network.
 *  - JUHEPAY_WEBHOOK_TIMEOUT_MS: per-attempt timeout, default 10 000 (CONTRACT §2 says 10 s).
 */

export interface WebhookConfig {
  allowPrivate: boolean;
  timeoutMs: number;
}

/** A bad webhook setting: a configuration error like any other (one line naming the variable). */
export class WebhookConfigError extends ConfigError {}

type Env = Record<string, string | undefined>;

export function loadWebhookConfig(env: Env, engine: Engine): WebhookConfig {
  const allowRaw = (env.JUHEPAY_WEBHOOK_ALLOW_PRIVATE ?? '').toLowerCase();
  let allowPrivate = engine === 'pglite';
  if (['1', 'true', 'yes', 'on'].includes(allowRaw)) allowPrivate = true;
  else if (['0', 'false', 'no', 'off'].includes(allowRaw)) allowPrivate = false;
  else if (allowRaw !== '') {
    throw new WebhookConfigError(
      'JUHEPAY_WEBHOOK_ALLOW_PRIVATE',
      `must be 1 or 0, got ${JSON.stringify(allowRaw)}`,
    );
  }
  const timeoutRaw = env.JUHEPAY_WEBHOOK_TIMEOUT_MS ?? '';
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (timeoutRaw !== '') {
    timeoutMs = Number(timeoutRaw);
    if (!/^\d+$/.test(timeoutRaw) || timeoutMs < 100 || timeoutMs > 60_000) {
      throw new WebhookConfigError('JUHEPAY_WEBHOOK_TIMEOUT_MS', 'must be an integer from 100 to 60000');
    }
  }
  return { allowPrivate, timeoutMs };
}
