import type { AppContext } from '../http/context.js';
import type { Handlers } from '../platform/jobs/index.js';

/** Job handlers for webhook delivery, merged into the process's worker. */
export function webhookJobHandlers(_ctx: AppContext): Handlers {
  return {};
}
