import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { runDue } from '../../src/platform/jobs/index.js';
import {
  dueTradeDates,
  loadCalendar,
  SETTLEMENT_QUEUE,
  settlementDaysFrom,
  settlementJobHandlers,
  tradeDatesOf,
} from '../../src/settlement/index.js';
import { parseSettleArgs } from '../../src/cli/settle.js';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/app.js';
import { adminClient } from '../support/admin.js';
import { describeEachEngine } from '../support/db.js';

/**
 * The calendar through the admin API (a year replaced, bad dates refused with 4xx and a reason),
 * what the daily job settles and when, SETTLEMENT_DAYS and the CLI's arguments.
 */
describeEachEngine('settlement calendar, daily job and settings', (ctx) => {
  let t: TestApp;
  const clock = new ManualClock(Date.parse('2026-02-13T10:00:00+08:00'));
  const admin = adminClient(() => t.app);

  beforeAll(async () => {
    t = await createTestApp(ctx.database, { clock, risk: false });
  });
  afterAll(() => t.close());

  it('serves the built-in 2026 calendar and refuses a year nobody set', async () => {
    const y = await admin('GET', '/calendar/2026');
    expect(y.body).toMatchObject({ object: 'calendar_year', year: 2026, source: 'builtin' });
    expect(y.body.workdays).toContain('2026-02-14');
    expect((await admin('GET', '/calendar/2031')).status).toBe(404);
    expect((await admin('GET', '/calendar/20x1')).status).toBe(400);
  });

  it('refuses bad dates with a 4xx naming them', async () => {
    const bad = [
      { holidays: ['2027-02-30'], workdays: [] },
      { holidays: ['2026-10-01'], workdays: [] },
      { holidays: [], workdays: ['2027-02-08'] }, // a Monday is a working day already
      { holidays: ['2027-02-06'], workdays: ['2027-02-06'] },
      { holidays: ['tomorrow'], workdays: [] },
    ];
    for (const body of bad) {
      const res = await admin('PUT', '/calendar/2027', body);
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(/2027|tomorrow/);
    }
    expect((await admin('PUT', '/calendar/2027', { holidays: [], workdays: [], extra: 1 })).status).toBe(400);
    expect((await admin('PUT', '/calendar/2027', { holidays: [] })).status).toBe(400);
  });

  it('replaces a year: T+1 follows it, and the change is audited', async () => {
    // the 2027 Spring Festival as a test arrangement: Feb 6 (Sat) worked, Feb 8–12 off
    const res = await admin('PUT', '/calendar/2027', {
      holidays: ['2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12'],
      workdays: ['2027-02-06'],
    });
    expect(res).toMatchObject({ status: 200, body: { source: 'custom', year: 2027 } });
    const calendar = await loadCalendar(ctx.database.db);
    expect(calendar.settlementDate('2027-02-05')).toBe('2027-02-06');
    expect(calendar.settlementDate('2027-02-06')).toBe('2027-02-15');
    // and the year's end now counts into it
    expect(calendar.settlementDate('2026-12-31')).toBe('2027-01-01');
    const audit = await t.app.inject({
      method: 'GET',
      url: '/admin/v1/audit-log?action=calendar.update',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(audit.json().data[0]).toMatchObject({ object_id: '2027', after: { workdays: ['2027-02-06'] } });
  });

  it('knows which trade dates settle on a day, and which are due', async () => {
    const calendar = await loadCalendar(ctx.database.db);
    // Tuesday after the Spring Festival: the make-up Saturday and the whole holiday settle then
    expect(tradeDatesOf(calendar, '2026-02-24', 1)).toEqual([
      '2026-02-14',
      '2026-02-15',
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
      '2026-02-21',
      '2026-02-22',
      '2026-02-23',
    ]);
    expect(tradeDatesOf(calendar, '2026-12-07', 1)).toEqual(['2026-12-04', '2026-12-05', '2026-12-06']);
    expect(tradeDatesOf(calendar, '2026-12-05', 1)).toEqual([]); // a Saturday settles nothing
    const due = await dueTradeDates(ctx.database.db, calendar, '2026-02-24', 1);
    expect(due.at(-1)).toBe('2026-02-23');
    expect(due).not.toContain('2026-02-24');
  });

  it('the daily job settles on the clock and schedules the next day', async () => {
    clock.set(Date.parse('2026-02-24T06:00:00+08:00'));
    const handlers = settlementJobHandlers({ db: ctx.database.db, clock, box: t.ctx.box });
    await ctx.database.db
      .insertInto('jobs')
      .values({
        id: 'job_01ke000000000000000000test',
        queue: SETTLEMENT_QUEUE,
        payload: '{}',
        status: 'queued',
        run_at: clock.now(),
        max_attempts: 3,
        dedupe_key: null,
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .execute();
    const counts = await runDue(
      ctx.database.db,
      handlers,
      { workerId: 't', limit: 5, leaseMs: 60_000 },
      clock,
    );
    expect(counts.done).toBe(1);
    const runs = await ctx.database.db
      .selectFrom('settlement_runs')
      .select('trade_date')
      .where('status', '=', 'completed')
      .execute();
    expect(runs.map((r) => r.trade_date)).toContain('2026-02-23');
    const next = await ctx.database.db
      .selectFrom('jobs')
      .select(['run_at', 'dedupe_key'])
      .where('queue', '=', SETTLEMENT_QUEUE)
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    expect(next).toEqual({
      run_at: new Date('2026-02-24T22:00:00Z'),
      dedupe_key: 'settlement:daily:2026-02-25',
    });
  });

  it('reads SETTLEMENT_DAYS and the CLI arguments', () => {
    expect(settlementDaysFrom({})).toBe(1);
    expect(settlementDaysFrom({ SETTLEMENT_DAYS: '2' })).toBe(2);
    for (const bad of ['0', '11', '1.5', 'x'])
      expect(() => settlementDaysFrom({ SETTLEMENT_DAYS: bad })).toThrow(/SETTLEMENT_DAYS/);
    expect(parseSettleArgs(['--date', '2026-12-04'])).toEqual({ date: '2026-12-04' });
    expect(parseSettleArgs(['--date=2026-12-04'])).toEqual({ date: '2026-12-04' });
    expect(parseSettleArgs([])).toEqual({ date: null });
    expect(parseSettleArgs(['--date', '2026-02-30'])).toMatch(/date/);
    expect(parseSettleArgs(['--day', '1'])).toMatch(/unknown/);
  });
});
