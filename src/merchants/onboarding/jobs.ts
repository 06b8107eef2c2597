import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import { isId } from '../../core/ids.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import {
  enqueue,
  PermanentJobError,
  scheduleBackoff,
  type Handlers,
  type Job,
  type RetryRequest,
} from '../../platform/jobs/index.js';
import { writeEvent } from '../../platform/outbox/index.js';
import type { SecretBox } from '../../platform/secret-box.js';
import { writeAudit } from '../audit.js';
import { SUB_MERCHANT_FIELD, isChannel } from '../channel-config/schema.js';
import { resolveChannelConfig, upsertChannelConfig } from '../channel-config/store.js';
import type { ChannelName } from '../tables.js';
import {
  applicationObject,
  loadApplication,
  openKyc,
  POLL_QUEUE,
  refreshApplicationStatus,
  SUBMIT_QUEUE,
} from './applications.js';
import { OnboardingRefused, type ChannelOnboardingStatus, type OnboardingChannels } from './channel.js';
import { nextChannelStatus, POLL_DELAYS_MS, POLL_MAX_ATTEMPTS, pollDelayMs } from './state.js';

/**
 * The onboarding jobs. `onboarding.submit` sends one application to one channel (network call
 * outside any transaction), then records `auditing` and schedules `onboarding.poll`, which asks
 * the channel until it decides. On approval the sub-merchant id is written into the merchant's
 * channel configuration in the same transaction as the status, its audit rows and its event, so
 * it is in force for payments the moment the approval is visible.
 */

export const ONBOARDING_ACTOR = 'system:onboarding';
/** while a channel has no implementation on this worker, look again this often */
const NO_IMPLEMENTATION_RETRY_MS = 60_000;

export interface OnboardingDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
}

interface Payload {
  application_id: string;
  channel: ChannelName;
  submission_no: number;
}

function parsePayload(job: Job): Payload {
  const p = job.payload as Partial<Payload>;
  if (
    !isId('application', p.application_id) ||
    !isChannel(p.channel) ||
    !Number.isSafeInteger(p.submission_no)
  )
    throw new PermanentJobError(`malformed onboarding job payload ${JSON.stringify(job.payload)}`);
  return p as Payload;
}

export function onboardingJobHandlers(deps: OnboardingDeps, channels: OnboardingChannels): Handlers {
  const { db, box, clock } = deps;

  /** The channel row this job is about, if the job is still current (not superseded by a resubmit). */
  async function current(p: Payload, status: 'submitted' | 'auditing') {
    // only "no such application" is final; a database error fails the job, so it is retried
    const loaded = await loadApplication(db, p.application_id).catch((error: unknown) => {
      if (error instanceof ApiError && error.code === 'resource_missing') return undefined;
      throw error;
    });
    if (!loaded) throw new PermanentJobError(`onboarding application ${p.application_id} is gone`);
    const row = loaded.channels.find((c) => c.channel === p.channel);
    if (!row || row.submission_no !== p.submission_no || row.status !== status) return undefined;
    return { app: loaded.row, row };
  }

  async function submit(job: Job): Promise<void | RetryRequest> {
    const p = parsePayload(job);
    const implementation = channels[p.channel];
    if (!implementation)
      return {
        retryInMs: NO_IMPLEMENTATION_RETRY_MS,
        reason: `no onboarding implementation for ${p.channel}`,
      };
    const found = await current(p, 'submitted');
    if (!found) return;
    const config = await resolveChannelConfig(db, box, found.app.merchant_id, p.channel);
    if (!config) {
      await decide(p, { state: 'rejected', reason: `no enabled ${p.channel} configuration to submit with` });
      return;
    }
    let accepted: { channel_application_id: string };
    try {
      accepted = await implementation.submit(
        {
          business_code: `${p.application_id}_${p.channel}_${p.submission_no}`,
          application_id: p.application_id,
          merchant_id: found.app.merchant_id,
          kyc: openKyc(box, found.app),
        },
        config,
      );
    } catch (error) {
      if (error instanceof OnboardingRefused) return decide(p, { state: 'rejected', reason: error.reason });
      if (job.attempts >= job.max_attempts) {
        const why = error instanceof Error ? error.message : String(error);
        return decide(p, {
          state: 'rejected',
          reason: `could not submit to ${p.channel} after ${job.attempts} attempts: ${why}`,
        });
      }
      throw error;
    }
    await inTransaction(db, async (tx) => {
      await lockApplication(tx, p.application_id);
      const moved = await tx
        .updateTable('onboarding_channels')
        .set({
          status: 'auditing',
          channel_application_id: accepted.channel_application_id,
          updated_at: clock.now(),
        })
        .where('application_id', '=', p.application_id)
        .where('channel', '=', p.channel)
        .where('submission_no', '=', p.submission_no)
        .where('status', '=', 'submitted')
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) return;
      await enqueue(
        tx,
        {
          queue: POLL_QUEUE,
          payload: { ...p },
          runAt: new Date(clock.nowMs() + pollDelayMs(1)),
          maxAttempts: POLL_MAX_ATTEMPTS,
          dedupeKey: `${POLL_QUEUE}:${p.application_id}:${p.channel}:${p.submission_no}`,
        },
        clock,
      );
      await refreshApplicationStatus(tx, p.application_id, clock);
    });
  }

  async function poll(job: Job): Promise<void | RetryRequest> {
    const p = parsePayload(job);
    const implementation = channels[p.channel];
    if (!implementation)
      return {
        retryInMs: NO_IMPLEMENTATION_RETRY_MS,
        reason: `no onboarding implementation for ${p.channel}`,
      };
    const found = await current(p, 'auditing');
    if (!found?.row.channel_application_id) return;
    const config = await resolveChannelConfig(db, box, found.app.merchant_id, p.channel);
    if (!config)
      return { retryInMs: pollDelayMs(job.attempts), reason: `no enabled ${p.channel} configuration` };
    const status = await implementation.status(found.row.channel_application_id, config);
    if (status.state === 'auditing')
      return { retryInMs: pollDelayMs(job.attempts), reason: 'still auditing' };
    if (status.state === 'approved' && !status.sub_merchant_id)
      throw new Error(`${p.channel} approved ${found.row.channel_application_id} without a sub-merchant id`);
    await decide(p, status);
  }

  /** Records the channel's decision, and on approval puts the sub-merchant id in force. */
  async function decide(p: Payload, status: ChannelOnboardingStatus): Promise<void> {
    const event = status.state === 'approved' ? 'approved' : 'rejected';
    await inTransaction(db, async (tx) => {
      await lockApplication(tx, p.application_id);
      const before = await loadApplication(tx, p.application_id);
      const row = before.channels.find((c) => c.channel === p.channel);
      if (!row || row.submission_no !== p.submission_no || nextChannelStatus(row.status, event) === null)
        return;
      const now = clock.now();
      await tx
        .updateTable('onboarding_channels')
        .set({
          status: event,
          sub_merchant_id: event === 'approved' ? (status.sub_merchant_id ?? null) : null,
          reason: event === 'rejected' ? (status.reason ?? 'rejected by the channel') : null,
          updated_at: now,
        })
        .where('application_id', '=', p.application_id)
        .where('channel', '=', p.channel)
        .execute();
      const merchantId = before.row.merchant_id;
      if (event === 'approved') await putInForce(tx, merchantId, p.channel, status);
      await refreshApplicationStatus(tx, p.application_id, clock);
      const after = await loadApplication(tx, p.application_id);
      const afterObject = applicationObject(after.row, after.channels);
      await writeAudit(
        tx,
        {
          actor: ONBOARDING_ACTOR,
          action: `onboarding.${event}`,
          objectType: 'onboarding_application',
          objectId: p.application_id,
          merchantId,
          before: applicationObject(before.row, before.channels),
          after: afterObject,
        },
        clock,
      );
      await writeEvent(
        tx,
        {
          topic: `onboarding.${event}`,
          payload: {
            application_id: p.application_id,
            merchant_id: merchantId,
            channel: p.channel,
            ...(afterObject.channels[p.channel] ?? {}),
          },
        },
        clock,
      );
    });
  }

  async function putInForce(
    tx: Tx,
    merchantId: string,
    channel: ChannelName,
    status: ChannelOnboardingStatus,
  ) {
    const field = SUB_MERCHANT_FIELD[channel];
    const patch = { ...(status.fields ?? {}), ...(field ? { [field]: status.sub_merchant_id! } : {}) };
    const change = await upsertChannelConfig(
      tx,
      box,
      { ownerId: merchantId, ownerType: 'merchant', channel, patch },
      clock,
    );
    await writeAudit(
      tx,
      {
        actor: ONBOARDING_ACTOR,
        action: 'channel_config.update',
        objectType: 'channel_config',
        objectId: `${merchantId}:${channel}`,
        merchantId,
        before: change.before,
        after: change.after,
      },
      clock,
    );
  }

  return {
    [SUBMIT_QUEUE]: { handle: submit },
    [POLL_QUEUE]: { handle: poll, backoff: scheduleBackoff(POLL_DELAYS_MS) },
  };
}

async function lockApplication(tx: Tx, id: string) {
  await tx.selectFrom('onboarding_applications').select('id').where('id', '=', id).forUpdate().execute();
}
