import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import type { ChannelOnboarding } from '../../src/merchants/onboarding/channel.js';
import { onboardingJobHandlers } from '../../src/merchants/onboarding/jobs.js';
import { SUBMIT_QUEUE } from '../../src/merchants/onboarding/applications.js';
import { enqueue, getJob, runDue } from '../../src/platform/jobs/index.js';
import { SecretBox } from '../../src/platform/secret-box.js';
import { describeEachEngine } from '../support/db.js';

/**
 * An onboarding job whose application is gone fails at once (retrying cannot bring it back); a
 * job that cannot read the application because the database failed is retried, never taken for
 * "gone" (which would drop a live application's submission for good).
 */
describeEachEngine('onboarding jobs and database errors', (ctx) => {
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 9));
  const run = { workerId: 'w1', limit: 10, leaseMs: 30_000, queues: [SUBMIT_QUEUE] };
  // the channel is never reached in these tests: the job stops at reading the application
  const unreachable: ChannelOnboarding = {
    submit: () => Promise.reject(new Error('the channel must not be called')),
    status: () => Promise.reject(new Error('the channel must not be called')),
  };
  const handlers = () =>
    onboardingJobHandlers(
      { db: ctx.database.db, box: new SecretBox('ab'.repeat(32)), clock },
      { wechatpay: unreachable },
    );
  const submitJob = (applicationId: string) =>
    enqueue(
      ctx.database.db,
      {
        queue: SUBMIT_QUEUE,
        payload: { application_id: applicationId, channel: 'wechatpay', submission_no: 1 },
        maxAttempts: 5,
      },
      clock,
    );

  it('fails the job for good when the application does not exist', async () => {
    const id = await submitJob(newId('application', clock.nowMs()));
    expect(await runDue(ctx.database.db, handlers(), run, clock)).toMatchObject({ claimed: 1, failed: 1 });
    const job = await getJob(ctx.database.db, id);
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job?.last_error).toMatch(/is gone/);
  });

  it('retries the job when reading the application fails in the database', async () => {
    const { db } = ctx.database;
    const id = await submitJob(newId('application', clock.nowMs()));
    // a real database error: the table the job reads is not there for a moment
    await sql`alter table onboarding_applications rename to onboarding_applications_away`.execute(db);
    try {
      expect(await runDue(db, handlers(), run, clock)).toMatchObject({ claimed: 1, retried: 1, failed: 0 });
    } finally {
      await sql`alter table onboarding_applications_away rename to onboarding_applications`.execute(db);
    }
    const job = await getJob(db, id);
    expect(job).toMatchObject({ status: 'queued', attempts: 1 });
    expect(job?.last_error).toMatch(/onboarding_applications/);
    expect(job?.last_error).not.toMatch(/is gone/);
  });
});
