import { afterAll, beforeAll, expect } from 'vitest';
import { createOnboardingChannels } from '../../src/channels/index.js';
import { writeDemoChannelConfigs } from '../../src/demo/channels.js';
import { onboardingJobHandlers } from '../../src/merchants/onboarding/jobs.js';
import type { Database } from '../../src/platform/db/index.js';
import { runDue } from '../../src/platform/jobs/index.js';
import { SANDBOX_PLUGINS } from '../../src/sandbox/plugins.js';
import { adminClient, type AdminCall } from './admin.js';
import { createTestApp, type TestApp } from './app.js';
import { KYC_APPLICATION } from './kyc.js';
import { startTestSandbox, type TestSandbox } from './sandbox.js';

/**
 * Onboarding against the real sandbox: the app and two sandboxes, `quick` (approves after
 * SANDBOX_ONBOARDING_DELAY, 3 s of its clock) and `slow` (an hour, so a rejection lands first),
 * each with a service provider holding its channel credentials. The fields are set in beforeAll.
 */
export interface OnboardingSandboxes {
  t: TestApp;
  quick: TestSandbox;
  slow: TestSandbox;
  /** the service provider of each sandbox */
  providers: Record<'quick' | 'slow', string>;
  admin: AdminCall;
  /** Moves the clocks second by second running due jobs, until `done` or `seconds` pass; the seconds taken. */
  runJobsFor(seconds: number, done: () => Promise<boolean>): Promise<number>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, read loosely
  status(id: string): Promise<any>;
  /** a merchant under `provider` whose (valid) application is filed and submitted to `channels` */
  apply(provider: string, name: string, channels: string[]): Promise<{ merchantId: string; id: string }>;
}

export function useOnboardingSandboxes(
  ctx: { database: Database },
  providerNames: Record<'quick' | 'slow', string>,
): OnboardingSandboxes {
  let handlers: ReturnType<typeof onboardingJobHandlers>;
  const env = { providers: { quick: '', slow: '' } } as OnboardingSandboxes;
  env.admin = adminClient(() => env.t.app);
  env.runJobsFor = async (seconds, done) => {
    for (let s = 0; s < seconds; s++) {
      await runDue(ctx.database.db, handlers, { workerId: 'test', limit: 50, leaseMs: 60_000 }, env.t.clock);
      if (await done()) return s;
      env.t.clock.advance(1_000);
      for (const sandbox of [env.quick, env.slow]) await sandbox.advance(1_000); // the channels' time moves alike
    }
    return seconds;
  };
  env.status = async (id) => (await env.admin('GET', `/onboarding/${id}`)).body;
  env.apply = async (provider, name, channels) => {
    const merchantId = (await env.admin('POST', '/merchants', { name, service_provider_id: provider })).body
      .id as string;
    const created = await env.admin('POST', '/onboarding', { ...KYC_APPLICATION, merchant_id: merchantId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const submitted = await env.admin('POST', `/onboarding/${created.body.id}/submit`, { channels });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    return { merchantId, id: created.body.id as string };
  };
  /** a service provider holding the sandbox's channel credentials, and a merchant under it without sub-merchant ids */
  const providerFor = async (sandbox: TestSandbox, name: string) => {
    const sp = (await env.admin('POST', '/service-providers', { name })).body.id as string;
    const demo = (await env.admin('POST', '/merchants', { name: `${name} demo`, service_provider_id: sp }))
      .body.id;
    await writeDemoChannelConfigs(
      ctx.database.db,
      env.t.ctx.box,
      { serviceProviderId: sp, merchantId: demo },
      { url: sandbox.url, keys: sandbox.ctx.keys },
      env.t.clock,
    );
    return sp;
  };

  beforeAll(async () => {
    env.t = await createTestApp(ctx.database);
    env.quick = await startTestSandbox(SANDBOX_PLUGINS);
    const before = process.env.SANDBOX_ONBOARDING_DELAY;
    process.env.SANDBOX_ONBOARDING_DELAY = '3600000';
    try {
      env.slow = await startTestSandbox(SANDBOX_PLUGINS);
    } finally {
      if (before === undefined) delete process.env.SANDBOX_ONBOARDING_DELAY;
      else process.env.SANDBOX_ONBOARDING_DELAY = before;
    }
    handlers = onboardingJobHandlers(
      { db: ctx.database.db, box: env.t.ctx.box, clock: env.t.clock },
      createOnboardingChannels(env.t.clock, { timeoutMs: 5_000 }),
    );
    env.providers.quick = await providerFor(env.quick, providerNames.quick);
    env.providers.slow = await providerFor(env.slow, providerNames.slow);
  });
  afterAll(async () => {
    await env.quick?.close();
    await env.slow?.close();
    await env.t?.close();
  });
  return env;
}
