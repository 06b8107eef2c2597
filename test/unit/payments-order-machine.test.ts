import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelPaymentState } from '../../src/channels/channel.js';
import {
  isFinal,
  nextOrderState,
  type OrderInput,
  type OrderStatus,
  type ReverseStatus,
} from '../../src/payments/order-machine.js';

const AMOUNT = 1000;
const statuses: OrderStatus[] = ['created', 'paying', 'succeeded', 'failed', 'closed'];
const channelStates: ChannelPaymentState[] = [
  'not_found',
  'pending',
  'user_paying',
  'succeeded',
  'refunded',
  'closed',
  'failed',
];
const reverses = fc.constantFrom<ReverseStatus | undefined>(undefined, 'pending', 'succeeded', 'failed');
const input: fc.Arbitrary<OrderInput> = fc.oneof(
  fc.constant<OrderInput>({ type: 'channel_order_created' }),
  fc.constant<OrderInput>({ type: 'closed_at_channel' }),
  fc.record({
    type: fc.constant('channel_reported' as const),
    state: fc.constantFrom(...channelStates),
    amount: fc.option(fc.constantFrom(AMOUNT, AMOUNT - 1), { nil: undefined }),
  }),
);

describe('order state machine', () => {
  it('pays a paying order once, with one event', () => {
    expect(
      nextOrderState('paying', AMOUNT, { type: 'channel_reported', state: 'succeeded', amount: AMOUNT }),
    ).toEqual({
      status: 'succeeded',
      event: 'order.succeeded',
    });
    expect(
      nextOrderState('succeeded', AMOUNT, { type: 'channel_reported', state: 'succeeded', amount: AMOUNT }),
    ).toEqual({
      status: 'succeeded',
    });
  });

  it('turns a success after a close into a late-payment exception, not a lost payment', () => {
    expect(nextOrderState('closed', AMOUNT, { type: 'channel_reported', state: 'succeeded' })).toEqual({
      status: 'closed',
      exception: 'late_payment',
    });
  });

  it('refuses to mark an order paid for another amount', () => {
    expect(
      nextOrderState('paying', AMOUNT, { type: 'channel_reported', state: 'succeeded', amount: 1 }),
    ).toEqual({
      status: 'paying',
      exception: 'amount_mismatch',
    });
  });

  it('a payment JuhePay is reversing (or reversed) is never read back as paid', () => {
    // fails before the fix: TRADE_CLOSED with send_pay_date (and UnionPay's original 00) read as paid
    fc.assert(
      fc.property(
        fc.array(input, { maxLength: 20 }),
        fc.constantFrom<ReverseStatus>('pending', 'succeeded'),
        (inputs, reverse) => {
          let status: OrderStatus = 'paying';
          for (const i of inputs) {
            const t = nextOrderState(status, AMOUNT, i, reverse);
            expect(t.status).not.toBe('succeeded');
            expect(t.exception).toBeUndefined(); // not a late payment either: it was given back
            status = t.status;
          }
        },
      ),
    );
    const report = (state: ChannelPaymentState) => ({
      type: 'channel_reported' as const,
      state,
      amount: AMOUNT,
    });
    expect(nextOrderState('paying', AMOUNT, report('succeeded'), 'pending')).toEqual({ status: 'paying' });
    for (const state of ['refunded', 'closed'] as const)
      expect(nextOrderState('paying', AMOUNT, report(state), 'pending')).toEqual({
        status: 'closed',
        event: 'order.closed',
        reverseConfirmed: true,
      });
    expect(nextOrderState('closed', AMOUNT, report('succeeded'), 'succeeded')).toEqual({ status: 'closed' });
  });

  it('paid then refunded without a reverse of ours: succeeded, and an exception for an operator', () => {
    const refunded = { type: 'channel_reported' as const, state: 'refunded' as const, amount: AMOUNT };
    for (const reverse of [undefined, 'failed'] as const)
      expect(nextOrderState('paying', AMOUNT, refunded, reverse)).toEqual({
        status: 'succeeded',
        event: 'order.succeeded',
        exception: 'refunded_at_channel',
      });
    expect(nextOrderState('succeeded', AMOUNT, refunded)).toEqual({ status: 'succeeded' });
    expect(nextOrderState('paying', AMOUNT, { ...refunded, amount: AMOUNT + 1 })).toEqual({
      status: 'paying',
      exception: 'amount_mismatch',
    });
  });

  it('never leaves a final state, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...statuses.filter(isFinal)),
        fc.array(input, { maxLength: 20 }),
        reverses,
        (start, inputs, reverse) => {
          let status = start;
          for (const i of inputs) status = nextOrderState(status, AMOUNT, i, reverse).status;
          expect(status).toBe(start);
        },
      ),
    );
  });

  it('emits at most one event per order, and only on a change into a final state', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 30 }), reverses, (inputs, reverse) => {
        let status: OrderStatus = 'created';
        let events = 0;
        for (const i of inputs) {
          const t = nextOrderState(status, AMOUNT, i, reverse);
          if (t.event) {
            events += 1;
            expect(isFinal(t.status)).toBe(true);
            expect(t.status).not.toBe(status);
          }
          status = t.status;
        }
        expect(events).toBeLessThanOrEqual(1);
      }),
    );
  });

  /**
   * A model of the channel: its trade moves pending → (succeeded | failed | closed) once. JuhePay
   * sees any interleaving of stale, duplicated and current reports, and closes only after the
   * channel confirmed the close. Whatever the order of news, JuhePay ends where the channel is.
   */
  it('ends in the channel’s true state for any interleaving of notifications, polls and closes', () => {
    const truth = fc.constantFrom<'succeeded' | 'failed' | 'closed'>('succeeded', 'failed', 'closed');
    const news = fc.array(
      fc.constantFrom<'stale' | 'current' | 'duplicate' | 'poll' | 'close'>(
        'stale',
        'current',
        'duplicate',
        'poll',
        'close',
      ),
      {
        maxLength: 25,
      },
    );
    fc.assert(
      fc.property(truth, news, fc.nat(25), (finalState, sequence, decidedAt) => {
        let status: OrderStatus = nextOrderState('created', AMOUNT, { type: 'channel_order_created' }).status;
        let channel: ChannelPaymentState = 'pending';
        const report = (state: ChannelPaymentState) => {
          status = nextOrderState(status, AMOUNT, { type: 'channel_reported', state, amount: AMOUNT }).status;
        };
        sequence.forEach((step, index) => {
          if (index === decidedAt && channel === 'pending') channel = finalState;
          switch (step) {
            case 'stale':
              report('pending');
              break;
            case 'current':
            case 'duplicate':
            case 'poll':
              report(channel);
              break;
            case 'close':
              // close at the channel first: it closes only a trade still pending
              if (channel === 'pending') channel = 'closed';
              if (channel === 'closed')
                status = nextOrderState(status, AMOUNT, { type: 'closed_at_channel' }).status;
              else report(channel);
          }
        });
        report(channel); // the poll that always comes eventually
        if (channel === 'pending') expect(status).toBe('paying');
        else expect(status).toBe(channel);
      }),
    );
  });
});
