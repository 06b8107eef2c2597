import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RefundState } from '../../src/channels/channel.js';
import { nextRefundState, type RefundInput, type RefundStatus } from '../../src/payments/refund-machine.js';

const STATUSES: RefundStatus[] = ['pending', 'succeeded', 'failed', 'abnormal'];
const REPORTS: RefundState[] = ['pending', 'succeeded', 'failed', 'abnormal', 'not_found'];
const report = (state: RefundState): RefundInput => ({ type: 'channel_reported', state });

describe('refund state machine', () => {
  it('pending: succeeded and abnormal count the amount once; failed does not; pending/not_found change nothing', () => {
    expect(nextRefundState('pending', false, report('succeeded'))).toEqual({
      status: 'succeeded',
      count: true,
      event: 'refund.succeeded',
    });
    expect(nextRefundState('pending', false, report('abnormal'))).toEqual({
      status: 'abnormal',
      count: true,
      event: 'refund.abnormal',
    });
    expect(nextRefundState('pending', false, report('failed'))).toEqual({
      status: 'failed',
      count: false,
      event: 'refund.failed',
    });
    expect(nextRefundState('pending', false, report('pending'))).toEqual({ status: 'pending', count: false });
    expect(nextRefundState('pending', false, report('not_found'))).toEqual({
      status: 'pending',
      count: false,
    });
  });

  it('abnormal: an operator’s redirection or the channel paying again makes it pending; success is not counted twice', () => {
    expect(nextRefundState('abnormal', true, { type: 'abnormal_applied' })).toEqual({
      status: 'pending',
      count: false,
    });
    expect(nextRefundState('abnormal', true, report('pending'))).toEqual({ status: 'pending', count: false });
    expect(nextRefundState('abnormal', true, report('succeeded'))).toEqual({
      status: 'succeeded',
      count: false,
      event: 'refund.succeeded',
    });
    expect(nextRefundState('abnormal', true, report('abnormal'))).toEqual({
      status: 'abnormal',
      count: false,
    });
  });

  it('a refund whose money already left is never failed (that would make it refundable twice)', () => {
    expect(nextRefundState('abnormal', true, report('failed'))).toEqual({ status: 'abnormal', count: false });
    // redirected, then the channel closes it: back to the operator, not failed, not counted again
    expect(nextRefundState('pending', true, report('failed'))).toEqual({
      status: 'abnormal',
      count: false,
      event: 'refund.abnormal',
    });
    expect(nextRefundState('pending', true, report('abnormal'))).toEqual({
      status: 'abnormal',
      count: false,
      event: 'refund.abnormal',
    });
  });

  it('final states are final, and a redirection applies only to an abnormal refund', () => {
    for (const final of ['succeeded', 'failed'] as const)
      for (const state of REPORTS)
        expect(nextRefundState(final, false, report(state))).toEqual({ status: final, count: false });
    expect(nextRefundState('pending', false, { type: 'abnormal_applied' })).toEqual({
      status: 'pending',
      count: false,
    });
  });

  it('property: along any sequence of inputs the amount is counted at most once, and counted iff it ends succeeded or was ever abnormal', () => {
    const input = fc.oneof(
      fc.constantFrom(...REPORTS).map(report),
      fc.constant<RefundInput>({ type: 'abnormal_applied' }),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 12 }), (inputs) => {
        let status: RefundStatus = 'pending';
        let counted = 0;
        let everAbnormal = false;
        for (const i of inputs) {
          const t = nextRefundState(status, counted > 0, i);
          expect(STATUSES).toContain(t.status);
          if (t.count) counted++;
          if (t.status !== status) expect(t.event !== undefined || t.status === 'pending').toBe(true);
          status = t.status;
          if (status === 'abnormal') everAbnormal = true;
        }
        expect(counted).toBeLessThanOrEqual(1);
        expect(counted === 1).toBe(status === 'succeeded' || everAbnormal);
        if (status === 'failed') expect(everAbnormal).toBe(false);
      }),
    );
  });
});
