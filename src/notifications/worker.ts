import type { PlatformContext } from '../platform/context.js';
import type { Handlers } from '../platform/jobs/index.js';
import { loadWebhookConfig, type WebhookConfig } from './config.js';
import { deliverEvent, SecretCache } from './delivery.js';
import { WEBHOOK_QUEUE } from './events.js';
import { createAgents } from './http-post.js';

export type WebhookHandlerOptions = Partial<WebhookConfig>;

/**
 * Job handlers for webhook delivery, merged into the process's worker. Settings come from the
 * environment (see config.ts); `options` overrides them (tests, benchmarks). Keep-alive agents
 * are shared by every delivery of this process.
 */
export function webhookJobHandlers(
  ctx: Pick<PlatformContext, 'db' | 'box' | 'clock' | 'engine'>,
  options: WebhookHandlerOptions = {},
): Handlers {
  const config = { ...loadWebhookConfig(process.env, ctx.engine), ...options };
  const agents = createAgents();
  const deps = { db: ctx.db, box: ctx.box, clock: ctx.clock, secrets: new SecretCache() };
  return {
    [WEBHOOK_QUEUE]: {
      handle: (job) => deliverEvent(deps, job, { ...config, agents }),
    },
  };
}
