import type { Selectable } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { newestFirst, type Queryable } from '../../platform/db/index.js';
import { enqueue } from '../../platform/jobs/index.js';
import type { SecretBox } from '../../platform/secret-box.js';
import { resolveChannelConfig } from '../channel-config/store.js';
import { maskNumber, type Kyc } from '../kyc/application.js';
import type { ChannelName, OnboardingApplicationsTable, OnboardingChannelsTable } from '../tables.js';
import { applicationStatus, nextChannelStatus } from './state.js';

/** Onboarding applications: KYC fields sealed at rest, one row per channel they go to. */

export const SUBMIT_QUEUE = 'onboarding.submit';
export const POLL_QUEUE = 'onboarding.poll';

type AppRow = Selectable<OnboardingApplicationsTable>;
type ChannelRow = Selectable<OnboardingChannelsTable>;

const purpose = (id: string) => `onboarding:${id}`;

/** The KYC fields as shown by the API and kept in the clear: resident ID and account number masked. */
export function maskedKyc(kyc: Kyc): Record<string, unknown> {
  return {
    ...kyc,
    legal_person_id_no: maskNumber(kyc.legal_person_id_no, 4, 4),
    settlement_account: {
      ...kyc.settlement_account,
      account_no: maskNumber(kyc.settlement_account.account_no, 4, 4),
    },
  };
}

export function openKyc(box: SecretBox, row: AppRow): Kyc {
  return JSON.parse(box.open(row.kyc_ciphertext, purpose(row.id))) as Kyc;
}

export async function createApplication(
  db: Queryable,
  box: SecretBox,
  merchantId: string,
  kyc: Kyc,
  clock: Clock,
) {
  const id = newId('application', clock.nowMs());
  const now = clock.now();
  const row = await db
    .insertInto('onboarding_applications')
    .values({
      id,
      merchant_id: merchantId,
      status: 'draft',
      kyc: JSON.stringify(maskedKyc(kyc)),
      kyc_ciphertext: box.seal(JSON.stringify(kyc), purpose(id)),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return applicationObject(row, []);
}

export function applicationObject(row: AppRow, channels: ChannelRow[]) {
  return {
    object: 'onboarding_application' as const,
    id: row.id,
    merchant_id: row.merchant_id,
    status: row.status,
    ...row.kyc,
    channels: Object.fromEntries(
      channels.map((c) => [
        c.channel,
        {
          status: c.status,
          submission_no: c.submission_no,
          channel_application_id: c.channel_application_id,
          sub_merchant_id: c.sub_merchant_id,
          reason: c.reason,
          submitted_at: c.submitted_at.toISOString(),
          updated_at: c.updated_at.toISOString(),
        },
      ]),
    ),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export type ApplicationObject = ReturnType<typeof applicationObject>;

export async function loadApplication(
  db: Queryable,
  id: string,
  options: { lock?: boolean; param?: string } = {},
) {
  let q = db.selectFrom('onboarding_applications').selectAll().where('id', '=', id);
  if (options.lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new ApiError('resource_missing', `no onboarding application ${id}`, options.param ?? 'id');
  const channels = await db
    .selectFrom('onboarding_channels')
    .selectAll()
    .where('application_id', '=', id)
    .orderBy('channel')
    .execute();
  return { row, channels };
}

export async function getApplicationObject(db: Queryable, id: string) {
  const { row, channels } = await loadApplication(db, id);
  return applicationObject(row, channels);
}

export async function listApplications(
  db: Queryable,
  w: {
    limit: number;
    startingAfter?: string | undefined;
    merchantId?: string | undefined;
    status?: string | undefined;
  },
) {
  const rows = await newestFirst(db.selectFrom('onboarding_applications').selectAll(), w, {
    merchant_id: w.merchantId,
    status: w.status as AppRow['status'] | undefined,
  }).execute();
  const ids = rows.map((r) => r.id);
  const channels = ids.length
    ? await db
        .selectFrom('onboarding_channels')
        .selectAll()
        .where('application_id', 'in', ids)
        .orderBy('channel')
        .execute()
    : [];
  return rows.map((r) => ({ id: r.id, row: r, channels: channels.filter((c) => c.application_id === r.id) }));
}

/** Recomputes the application's summary status from its channel rows (same transaction). */
export async function refreshApplicationStatus(db: Queryable, id: string, clock: Clock) {
  const channels = await db
    .selectFrom('onboarding_channels')
    .select('status')
    .where('application_id', '=', id)
    .execute();
  await db
    .updateTable('onboarding_applications')
    .set({ status: applicationStatus(channels.map((c) => c.status)), updated_at: clock.now() })
    .where('id', '=', id)
    .execute();
}

/**
 * Sends an application to channels: each becomes `submitted` and gets a submit job, committed in
 * the caller's transaction. A channel already in review or approved is a 409; one the merchant
 * has no configuration for (its own or its service provider's) is a 422, since the channel could
 * not be called.
 */
export async function submitApplication(
  db: Queryable,
  box: SecretBox,
  id: string,
  channels: readonly ChannelName[],
  clock: Clock,
  param = 'id',
) {
  const before = await loadApplication(db, id, { lock: true, param });
  for (const channel of channels) {
    const current = before.channels.find((c) => c.channel === channel);
    if (nextChannelStatus(current?.status, 'submit') === null)
      throw new ApiError(
        'state_conflict',
        `application ${id} is already ${current?.status} at ${channel}`,
        'channels',
      );
    if (!(await resolveChannelConfig(db, box, before.row.merchant_id, channel)))
      throw new ApiError(
        'validation_failed',
        `merchant ${before.row.merchant_id} has no enabled ${channel} configuration (its own or its service provider's) to submit with`,
        'channels',
      );
  }
  const now = clock.now();
  for (const channel of channels) {
    const current = before.channels.find((c) => c.channel === channel);
    const submissionNo = (current?.submission_no ?? 0) + 1;
    const values = {
      status: 'submitted' as const,
      submission_no: submissionNo,
      channel_application_id: null,
      sub_merchant_id: null,
      reason: null,
      submitted_at: now,
      updated_at: now,
    };
    if (current) {
      await db
        .updateTable('onboarding_channels')
        .set(values)
        .where('application_id', '=', id)
        .where('channel', '=', channel)
        .execute();
    } else {
      await db
        .insertInto('onboarding_channels')
        .values({ application_id: id, channel, ...values })
        .execute();
    }
    await enqueue(
      db,
      {
        queue: SUBMIT_QUEUE,
        payload: { application_id: id, channel, submission_no: submissionNo },
        dedupeKey: `${SUBMIT_QUEUE}:${id}:${channel}:${submissionNo}`,
      },
      clock,
    );
  }
  await refreshApplicationStatus(db, id, clock);
  const after = await loadApplication(db, id);
  return {
    before: applicationObject(before.row, before.channels),
    after: applicationObject(after.row, after.channels),
  };
}
