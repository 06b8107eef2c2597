import type { Logger } from '../platform/logger.js';
import { housekeepingHandler, HOUSEKEEPING_QUEUE, scheduleHousekeeping } from '../platform/housekeeping.js';
import { startWorker } from '../platform/jobs/index.js';
import { startRelay } from '../platform/outbox/index.js';
import type { Runtime } from './boot.js';
import { webhookJobHandlers } from '../notifications/index.js';
import { paymentJobHandlers } from '../payments/index.js';
import { onboardingJobHandlers } from '../merchants/index.js';
import { createOnboardingChannels } from '../channels/index.js';
import { riskStreamConsumers } from '../risk/index.js';
import { scheduleDailySettlement, settlementDaysFrom, settlementJobHandlers } from '../settlement/index.js';
import {
  reconciliationJobHandlers,
  scheduleDailyReconciliation,
  unresolvedMismatches,
} from '../reconciliation/index.js';
import { orderRecovery } from '../payments/index.js';
import { startBooking } from '../ledger/index.js';
import { profileStreamConsumers } from '../profiles/index.js';

/** The background side of a process: the durable job worker and the outbox relay. */
export function startBackground(runtime: Runtime, logger: Logger): { stop(): Promise<void> } {
  const { db, clock, stream } = runtime.ctx;
  const handlers = {
    [HOUSEKEEPING_QUEUE]: housekeepingHandler(db, clock),
    ...paymentJobHandlers(runtime.ctx),
    ...onboardingJobHandlers({ db, box: runtime.ctx.box, clock }, createOnboardingChannels(clock)),
    ...settlementJobHandlers({
      db,
      clock,
      box: runtime.ctx.box,
      logger,
      settlementDays: settlementDaysFrom(process.env),
      unresolvedMismatches,
    }),
    ...reconciliationJobHandlers({ ...runtime.ctx, recoverOrder: orderRecovery(runtime.ctx) }),
  };
  const worker = startWorker(db, handlers, { logger }, clock);
  // Webhooks get their own worker: a merchant endpoint that takes 10 s must not hold up payments.
  const webhooks = startWorker(db, webhookJobHandlers(runtime.ctx), { logger, limit: 50 }, clock);
  const stopRelay = startRelay(db, stream, { intervalMs: 200, clock, logger });
  // journal entries queued by payments and refunds, booked in batches (docs/money.md)
  const stopBooking = startBooking(db, { intervalMs: 200, clock, logger });
  scheduleHousekeeping(db, clock).catch((err) => logger.warn({ err }, 'could not schedule housekeeping'));
  scheduleDailySettlement(db, clock).catch((err) => logger.warn({ err }, 'could not schedule settlement'));
  scheduleDailyReconciliation(db, clock).catch((err) =>
    logger.warn({ err }, 'could not schedule reconciliation'),
  );
  // near-real-time risk tier: outcomes from the stream feed the automatic lists
  const riskConsumer = riskStreamConsumers({ db, cache: runtime.ctx.cache, clock, logger }, stream).catch(
    (err) => {
      logger.error({ err }, 'risk stream consumer did not start');
      return undefined;
    },
  );
  // profiles: payments and merchant events update the profiles incrementally (exactly once in effect)
  const profileConsumer = profileStreamConsumers(
    { db, cache: runtime.ctx.cache, clock, logger },
    stream,
  ).catch((err) => {
    logger.error({ err }, 'profile stream consumer did not start');
    return undefined;
  });
  return {
    async stop() {
      await (await profileConsumer)?.stop();
      await (await riskConsumer)?.stop();
      await stopRelay();
      await stopBooking();
      await Promise.all([worker.stop(), webhooks.stop()]);
    },
  };
}
