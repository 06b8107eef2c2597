import type { PlatformContext } from '../platform/context.js';
import type { Handlers } from '../platform/jobs/index.js';
import { loadWebhookConfig, type WebhookConfig } from './config.js';
import { AppSecrets } from '../merchants/index.js';
import { deliverEvent } from './delivery.js';
import { WEBHOOK_QUEUE } from './events.js';
import { createAgents } from './http-post.js';

export type WebhookHandlerOptions = Partial<WebhookConfig>;

/**
 * Job handlers for webhook delivery, merged into the process's worker. Settings come from the
 * environment (see config.ts); `options` overrides them (tests, benchmarks). Keep-alive agents
 * are shared by every delivery of this process.
 */
export function webhookJobHandlers(
  ctx: Pick<PlatformContext, 'db' | 'box' | 'clock' | 'engine'> & Partial<Pick<PlatformContext, 'cache'>>,
  options: WebhookHandlerOptions = {},
): Handlers {
  const config = { ...loadWebhookConfig(process.env, ctx.engine), ...options };
  const agents = createAgents();
  const source = { db: ctx.db, box: ctx.box, clock: ctx.clock, cache: ctx.cache };
  const deps = { ...source, secrets: new AppSecrets(source) };
  return {
    [WEBHOOK_QUEUE]: {
      handle: (job) => deliverEvent(deps, job, { ...config, agents }),
    },
  };
}
