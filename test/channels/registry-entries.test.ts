import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CHANNEL_CONFIG_FIELDS,
  CHANNEL_ENTRIES,
  CHANNEL_IDS,
  createChannelAdapters,
  createOnboardingChannels,
  SUB_MERCHANT_FIELD,
  type ChannelId,
} from '../../src/channels/index.js';
import { ManualClock } from '../../src/core/clock.js';

/** Adding a channel is a folder and one registry line: everything else is derived from the entries. */
describe('the channel registry', () => {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));

  it("takes the channel ids from the registry's keys, and ChannelId is exactly those literals", () => {
    expect(CHANNEL_IDS).toEqual(Object.keys(CHANNEL_ENTRIES));
    expectTypeOf<ChannelId>().toEqualTypeOf<keyof typeof CHANNEL_ENTRIES>(); // checked by npm run typecheck
    // @ts-expect-error an id no registry entry has is not a ChannelId
    const unknown: ChannelId = 'paypal';
    expect(CHANNEL_IDS).not.toContain(unknown);
  });

  it('has an adapter for every channel id, each answering to its own id', () => {
    expect(createChannelAdapters(clock).map((c) => c.id)).toEqual([...CHANNEL_IDS]);
  });

  it("reads every channel's configuration fields from its folder, each with a format and a description", () => {
    expect(Object.keys(CHANNEL_CONFIG_FIELDS).sort()).toEqual([...CHANNEL_IDS].sort());
    for (const fields of Object.values(CHANNEL_CONFIG_FIELDS))
      for (const spec of Object.values(fields)) {
        expect(spec.pattern).toBeInstanceOf(RegExp);
        expect(spec.description.length).toBeGreaterThan(0);
      }
  });

  it('onboarding channels name a public configuration field for the approved sub-merchant id', () => {
    const onboarding = Object.keys(createOnboardingChannels(clock)).sort();
    expect(onboarding).toEqual(['alipay', 'unionpay', 'wechatpay']);
    expect(Object.keys(SUB_MERCHANT_FIELD).sort()).toEqual(onboarding);
    for (const [channel, field] of Object.entries(SUB_MERCHANT_FIELD))
      expect(CHANNEL_CONFIG_FIELDS[channel as keyof typeof CHANNEL_CONFIG_FIELDS][field!]?.secret).toBe(
        false,
      );
  });
});
