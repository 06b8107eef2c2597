import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applicationStatus,
  nextChannelStatus,
  POLL_DELAYS_MS,
  pollDelayMs,
  type ChannelEvent,
} from '../../src/merchants/onboarding/state.js';
import type { OnboardingChannelStatus } from '../../src/merchants/tables.js';

const EVENTS: ChannelEvent[] = ['submit', 'accepted', 'approved', 'rejected'];
const STATUSES: OnboardingChannelStatus[] = ['submitted', 'auditing', 'approved', 'rejected'];

describe('onboarding channel state machine', () => {
  it('follows submitted → auditing → approved | rejected, and allows resubmitting a rejection', () => {
    expect(nextChannelStatus(undefined, 'submit')).toBe('submitted');
    expect(nextChannelStatus('submitted', 'accepted')).toBe('auditing');
    expect(nextChannelStatus('auditing', 'approved')).toBe('approved');
    expect(nextChannelStatus('auditing', 'rejected')).toBe('rejected');
    expect(nextChannelStatus('rejected', 'submit')).toBe('submitted');
    expect(nextChannelStatus('approved', 'submit')).toBeNull();
    expect(nextChannelStatus('auditing', 'submit')).toBeNull();
    expect(nextChannelStatus(undefined, 'approved')).toBeNull();
  });

  it('never leaves approved, and only reaches a decision through the channel', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EVENTS), { maxLength: 30 }), (events) => {
        let status: OnboardingChannelStatus | undefined;
        for (const event of events) {
          const next = nextChannelStatus(status, event);
          if (status === 'approved' && next !== null) return false; // approved is final
          if (next === 'approved' && event !== 'approved') return false;
          if (next !== null) status = next;
        }
        return status === undefined || STATUSES.includes(status);
      }),
    );
  });
});

describe('application status', () => {
  it('summarises its channels', () => {
    expect(applicationStatus([])).toBe('draft');
    expect(applicationStatus(['approved', 'auditing'])).toBe('in_progress');
    expect(applicationStatus(['approved', 'approved'])).toBe('approved');
    expect(applicationStatus(['rejected'])).toBe('rejected');
    expect(applicationStatus(['approved', 'rejected'])).toBe('partially_approved');
  });

  it('is in progress exactly when some channel has not decided, and ignores order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STATUSES), { minLength: 1, maxLength: 6 }), (channels) => {
        const open = channels.some((s) => s === 'submitted' || s === 'auditing');
        const status = applicationStatus(channels);
        return (status === 'in_progress') === open && status === applicationStatus([...channels].reverse());
      }),
    );
  });
});

describe('poll schedule', () => {
  it('starts quick, never shrinks and settles at 30 minutes', () => {
    expect(pollDelayMs(1)).toBe(2_000);
    expect(pollDelayMs(0)).toBe(2_000);
    expect(pollDelayMs(10_000)).toBe(1_800_000);
    for (let i = 1; i < 40; i++) expect(pollDelayMs(i + 1)).toBeGreaterThanOrEqual(pollDelayMs(i));
    // the sandbox approves after 3 s: the first polls land well inside a minute
    expect(POLL_DELAYS_MS.slice(0, 4).reduce((a, b) => a + b, 0)).toBeLessThan(60_000);
  });
});
