import type { Clock } from '../../core/clock.js';
import type { SandboxContext } from '../context.js';

/**
 * The channels' onboarding desks (进件), shared by the WeChat Pay, Alipay and UnionPay simulators and by
 * POST /sandbox/onboarding/reject. An application is in review until SANDBOX_ONBOARDING_DELAY
 * (channel time on the sandbox clock, divided by its timeScale) has passed, then approved with a fresh sub-merchant id,
 * unless the sandbox user rejected it first. State is in memory for the server's life.
 */

export type OnboardingChannel = 'wechatpay' | 'alipay' | 'unionpay';
export const ONBOARDING_CHANNELS: readonly OnboardingChannel[] = ['wechatpay', 'alipay', 'unionpay'];

export type SandboxApplicationState = 'auditing' | 'approved' | 'rejected';

export interface SandboxApplication {
  channel: OnboardingChannel;
  /** the channel's id: WeChat applyment_id (digits), Alipay order_id */
  id: string;
  /** the caller's unique key: WeChat business_code, Alipay external_id */
  externalId: string;
  merchantName: string;
  submittedAtMs: number;
  /** set when the delay has passed (fixed the first time it is looked at) */
  subMerchantId?: string;
  rejectedReason?: string;
}

export const DEFAULT_ONBOARDING_DELAY_MS = 3_000;

/** Pure: SANDBOX_ONBOARDING_DELAY (milliseconds of channel time); a missing or bad value is the default. */
export function parseOnboardingDelay(raw: string | undefined): number {
  if (raw === undefined || !/^\d{1,9}$/.test(raw.trim())) return DEFAULT_ONBOARDING_DELAY_MS;
  return Number(raw.trim());
}

/** Pure: where an application stands at `nowMs`, given the delay in clock milliseconds. */
export function applicationState(
  app: Pick<SandboxApplication, 'submittedAtMs' | 'rejectedReason' | 'subMerchantId'>,
  nowMs: number,
  delayMs: number,
): SandboxApplicationState {
  if (app.rejectedReason !== undefined) return 'rejected';
  if (app.subMerchantId !== undefined || nowMs - app.submittedAtMs >= delayMs) return 'approved';
  return 'auditing';
}

export type RejectOutcome = 'rejected' | 'missing' | 'already_approved';

export class SandboxOnboardingStore {
  private readonly apps = new Map<string, SandboxApplication>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    /** clock milliseconds before approval: the channel delay already divided by timeScale */
    readonly delayMs: number,
  ) {}

  /** Files an application; the same external id again is the same application (a retried submit). */
  submit(channel: OnboardingChannel, externalId: string, merchantName: string): SandboxApplication {
    for (const app of this.apps.values())
      if (app.channel === channel && app.externalId === externalId) return app;
    this.seq++;
    const seq = String(this.seq);
    const id =
      channel === 'wechatpay'
        ? `20000026${seq.padStart(8, '0')}`
        : channel === 'alipay'
          ? `2026${seq.padStart(12, '0')}ZFT`
          : `MR2026${seq.padStart(12, '0')}`;
    const app: SandboxApplication = {
      channel,
      id,
      externalId,
      merchantName,
      submittedAtMs: this.clock.nowMs(),
    };
    this.apps.set(key(channel, id), app);
    return app;
  }

  /** The application with its state now; approval assigns the sub-merchant id once. */
  find(
    channel: OnboardingChannel,
    id: string,
  ): { app: SandboxApplication; state: SandboxApplicationState } | undefined {
    const app = this.apps.get(key(channel, id));
    if (!app) return undefined;
    const state = applicationState(app, this.clock.nowMs(), this.delayMs);
    if (state === 'approved' && app.subMerchantId === undefined)
      app.subMerchantId = subMerchantId(app, this.seq);
    return { app, state };
  }

  findByExternalId(channel: OnboardingChannel, externalId: string) {
    for (const app of this.apps.values())
      if (app.channel === channel && app.externalId === externalId) return this.find(channel, app.id);
    return undefined;
  }

  /** The channel turns the application down; an approved one stays approved. */
  reject(channel: OnboardingChannel, id: string, reason: string): RejectOutcome {
    const found = this.find(channel, id);
    if (!found) return 'missing';
    if (found.state === 'approved') return 'already_approved';
    found.app.rejectedReason = reason;
    return 'rejected';
  }

  /** true when the channel approved an application and gave it this sub-merchant id */
  isApprovedSubMerchant(channel: OnboardingChannel, subMerchantId: string): boolean {
    for (const app of this.apps.values()) {
      if (app.channel === channel && app.subMerchantId === subMerchantId) return true;
    }
    return false;
  }

  list(): Array<SandboxApplication & { state: SandboxApplicationState }> {
    return [...this.apps.values()].map((app) => ({ ...app, state: this.find(app.channel, app.id)!.state }));
  }
}

function key(channel: OnboardingChannel, id: string) {
  return `${channel}:${id}`;
}

/** WeChat sub_mchid: 16 + 8 digits; Alipay smid: 2088 + 12 digits; UnionPay merId: 777290059 + 6 digits */
function subMerchantId(app: SandboxApplication, seq: number): string {
  const n = app.id.replace(/\D/g, '').slice(-8) || String(seq);
  if (app.channel === 'unionpay') return `777290059${n.slice(-6).padStart(6, '0')}`;
  return app.channel === 'wechatpay' ? `16${n.padStart(8, '0')}` : `2088${n.padStart(12, '0')}`;
}

const stores = new WeakMap<SandboxContext, SandboxOnboardingStore>();

/** The one store of a sandbox server, whichever simulator asks first creates it. */
export function onboardingStoreFor(ctx: SandboxContext): SandboxOnboardingStore {
  let store = stores.get(ctx);
  if (!store) {
    const channelDelay = parseOnboardingDelay(process.env.SANDBOX_ONBOARDING_DELAY);
    store = new SandboxOnboardingStore(ctx.clock, channelDelay / ctx.scheduler.timeScale);
    stores.set(ctx, store);
  }
  return store;
}
