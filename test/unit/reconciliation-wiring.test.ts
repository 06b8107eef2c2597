import { describe, expect, it } from 'vitest';
import { unionpayFileUrl } from '../../src/channels/unionpay/bill.js';
import { parseReconcileArgs } from '../../src/cli/reconcile.js';
import { differenceOf, nextRun, type MismatchRow } from '../../src/reconciliation/index.js';

describe('the daily job', () => {
  it('runs at 10:00 China time for the day before, and never twice the same instant', () => {
    // 2026-12-04 09:59 China = 01:59 UTC: today's run is still ahead, for 12-03
    expect(nextRun(Date.parse('2026-12-04T01:59:00Z'))).toEqual({
      runAt: new Date('2026-12-04T02:00:00Z'),
      tradeDate: '2026-12-03',
    });
    // at 10:00 exactly the next run is tomorrow's, for 12-04
    expect(nextRun(Date.parse('2026-12-04T02:00:00Z'))).toEqual({
      runAt: new Date('2026-12-05T02:00:00Z'),
      tradeDate: '2026-12-04',
    });
    // 23:30 China on 12-31 is 15:30 UTC: the next run is 2027-01-01 10:00 China, for 12-31
    expect(nextRun(Date.parse('2026-12-31T15:30:00Z'))).toEqual({
      runAt: new Date('2027-01-01T02:00:00Z'),
      tradeDate: '2026-12-31',
    });
  });
});

describe('juhepay reconcile arguments', () => {
  it('takes a date, a channel and a file; refuses what it does not know', () => {
    expect(parseReconcileArgs(['--date', '2026-12-03'])).toEqual({ date: '2026-12-03' });
    expect(parseReconcileArgs(['--date', '2026-12-03', '--channel', 'alipay', '--file', 'b.zip'])).toEqual({
      date: '2026-12-03',
      channel: 'alipay',
      file: 'b.zip',
    });
    expect(parseReconcileArgs([])).toMatch(/--date is required/);
    expect(parseReconcileArgs(['--date'])).toMatch(/needs a value/);
    expect(parseReconcileArgs(['--date', 'x', '--channel', 'paypal'])).toMatch(/unknown channel/);
    expect(parseReconcileArgs(['--date', 'x', '--file', 'f'])).toMatch(/--file needs --channel/);
    expect(parseReconcileArgs(['--date', 'x', '--fast', '1'])).toMatch(/unknown option/);
  });
});

describe('UnionPay file-transfer endpoint', () => {
  const config = (fields: Record<string, string>) => ({ channel: 'unionpay' as const, fields });
  it('is the file host, not the gateway', () => {
    expect(unionpayFileUrl(config({ base_url: 'https://gateway.95516.com/' }))).toBe(
      'https://filedownload.95516.com/',
    );
    expect(unionpayFileUrl(config({ base_url: 'https://gateway.test.95516.com/' }))).toBe(
      'https://filedownload.test.95516.com/',
    );
    expect(unionpayFileUrl(config({ base_url: 'http://127.0.0.1:3100/unionpay/', sandbox: '1' }))).toBe(
      'http://127.0.0.1:3100/unionpay/filedownload/',
    );
    expect(
      unionpayFileUrl(
        config({ base_url: 'https://acquirer.example/acp/', file_url: 'https://files.example' }),
      ),
    ).toBe('https://files.example/');
    expect(() => unionpayFileUrl(config({ base_url: 'https://acquirer.example/acp/' }))).toThrow(/file_url/);
  });
});

describe('the money a mismatch moves', () => {
  const row = (over: Partial<MismatchRow>) =>
    ({
      kind: 'trade',
      channel_amount: null,
      channel_fee: null,
      channel_status: null,
      platform_amount: null,
      platform_fee: null,
      platform_status: null,
      ...over,
    }) as MismatchRow;
  it('is what the channel settles minus what JuhePay booked', () => {
    // the channel charged 99 fen where 26 were expected: 73 fen less to receive
    expect(
      differenceOf(
        row({
          channel_amount: 12_345,
          channel_fee: 99,
          channel_status: 'succeeded',
          platform_amount: 12_345,
          platform_fee: 26,
          platform_status: 'succeeded',
        }),
      ),
    ).toBe(-73);
    // a trade JuhePay never saw: its net comes in
    expect(differenceOf(row({ channel_amount: 4_321, channel_fee: 11, channel_status: 'succeeded' }))).toBe(
      4_310,
    );
    // a refund only JuhePay counts: money JuhePay thinks went out did not
    expect(
      differenceOf(
        row({ kind: 'refund', platform_amount: 500, platform_fee: 1, platform_status: 'succeeded' }),
      ),
    ).toBe(499);
  });
});
