import type { FailureMode } from './decide.js';

/**
 * Risk settings from the environment:
 *  - RISK_CACHE_FAILURE: what each scene decides when Redis cannot be reached, as
 *    `scene=mode,…` with mode open | closed | review and `*` for every other scene.
 *    Default `payment=review,refund=closed,*=open`.
 *  - RISK_CACHE_TIMEOUT_MS: how long a decision waits for Redis before treating it as down
 *    (default 250).
 */
export interface RiskConfig {
  failureModes: Record<string, FailureMode>;
  cacheTimeoutMs: number;
}

export class RiskConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'RiskConfigError';
  }
}

export const DEFAULT_FAILURE_MODES: Record<string, FailureMode> = {
  payment: 'review',
  refund: 'closed',
  '*': 'open',
};

export function loadRiskConfig(env: Record<string, string | undefined> = process.env): RiskConfig {
  const failureModes = { ...DEFAULT_FAILURE_MODES };
  for (const part of (env.RISK_CACHE_FAILURE ?? '').split(',').filter(Boolean)) {
    const [scene, mode] = part.split('=').map((s) => s.trim());
    if (
      !scene ||
      !/^(\*|[a-z][a-z0-9_]{0,39})$/.test(scene) ||
      !['open', 'closed', 'review'].includes(mode ?? '')
    )
      throw new RiskConfigError('RISK_CACHE_FAILURE', `"${part}" is not scene=open|closed|review`);
    failureModes[scene] = mode as FailureMode;
  }
  const raw = env.RISK_CACHE_TIMEOUT_MS ?? '';
  const cacheTimeoutMs = raw === '' ? 250 : Number(raw);
  if (!Number.isInteger(cacheTimeoutMs) || cacheTimeoutMs < 10 || cacheTimeoutMs > 10_000)
    throw new RiskConfigError('RISK_CACHE_TIMEOUT_MS', 'must be an integer from 10 to 10000');
  return { failureModes, cacheTimeoutMs };
}

export function failureModeOf(config: RiskConfig, scene: string): FailureMode {
  return config.failureModes[scene] ?? config.failureModes['*'] ?? 'open';
}
