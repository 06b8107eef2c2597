import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { ConfigError, type Config } from '../platform/config.js';
import { openDatabase } from '../platform/db/index.js';
import { checkMasterKey, loadMasterKey } from '../platform/keys.js';
import { SecretBox } from '../platform/secret-box.js';
import {
  CalendarYearMissingError,
  chinaDate,
  isDate,
  payoutsIfComplete,
  settleDue,
  settlementDaysFrom,
  settleTradeDate,
  SettlementConfigError,
  SettlementNotDueError,
  type PayoutRunResult,
  type SettleResult,
} from '../settlement/index.js';
import { unresolvedMismatches } from '../reconciliation/index.js';
import { migrateDatabase } from './migrate.js';
import { pgliteDir } from './data-dir.js';
import { progressBar } from './plates.js';

/**
 * `juhepay settle [--date D]`: settles trade date D (default: every trade date whose settlement
 * day has come, as the daily job does), then pays the settlement day's payouts once all of its
 * trade dates are settled. Progress on stderr, a summary on stdout. Re-running changes nothing.
 */

export const SETTLE_USAGE = 'usage: juhepay settle [--date YYYY-MM-DD]';

interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function parseSettleArgs(args: readonly string[]): { date: string | null } | string {
  let date: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const m = /^--date(?:=(.*))?$/.exec(args[i]!);
    if (!m) return `unknown argument ${JSON.stringify(args[i])}`;
    const value = m[1] ?? args[++i];
    if (value === undefined || !isDate(value)) return '--date needs a date YYYY-MM-DD';
    date = value;
  }
  return { date };
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

function describe(s: SettleResult): string {
  const head = `${s.tradeDate} → ${s.settlementDate}: ${s.merchants} merchants, ${s.orders} orders, ${s.refunds} refunds, net ${yuan(s.net)} yuan, ${s.held} held`;
  const again = s.settledNow ? '' : ' (settled before: nothing changed)';
  const mism = s.unresolvedMismatches.length
    ? `\n  ${s.unresolvedMismatches.length} unresolved reconciliation mismatches: ${s.unresolvedMismatches
        .slice(0, 10)
        .map((m) => `${m.type} ${m.order_id ?? m.id}`)
        .join(', ')}`
    : '';
  return `${head}${again}${mism}`;
}

function describePayouts(p: PayoutRunResult | null, waitingFor: string[], date: string): string {
  if (waitingFor.length) return `payouts of ${date} wait for trade dates ${waitingFor.join(', ')}`;
  if (!p) return `no payouts: ${date} is not a working day`;
  const skipped = p.skipped.length
    ? `; not paid: ${p.skipped.map((s) => `${s.merchantId} (${s.reason}, ${yuan(s.net)})`).join(', ')}`
    : '';
  return `payouts of ${date}: ${p.created} created, ${yuan(p.amount)} yuan — file: GET /admin/v1/payouts/${date}.csv${skipped}`;
}

export async function settleCommand(
  config: Config,
  args: readonly string[],
  io: { stdout: Output; stderr: Output } = { stdout: process.stdout, stderr: process.stderr },
  clock: Clock = systemClock,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const parsed = parseSettleArgs(args);
  if (typeof parsed === 'string') {
    io.stderr.write(`juhepay settle: ${parsed}\n${SETTLE_USAGE}\n`);
    return 2;
  }
  let settlementDays: number;
  try {
    settlementDays = settlementDaysFrom(env);
  } catch (error) {
    if (error instanceof SettlementConfigError) throw new ConfigError(error.variable, error.problem);
    throw error;
  }
  if (!config.databaseUrl && existsSync(path.join(pgliteDir(config), 'postmaster.pid'))) {
    io.stderr.write(
      `juhepay settle: the embedded database in ${pgliteDir(config)} is in use (postmaster.pid exists): stop \`juhepay start\` first (its worker settles daily).\n`,
    );
    return 1;
  }
  const box = new SecretBox(loadMasterKey(config).key);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir(config) });
  try {
    await migrateDatabase(database.db);
    await checkMasterKey(database.db, box, clock);
    const deps = {
      db: database.db,
      clock,
      box,
      settlementDays,
      unresolvedMismatches, // reported next to each settlement
      onProgress: progressBar(io.stderr, 'settling'),
    };
    if (parsed.date === null) {
      const result = await settleDue(deps);
      if (result.settled.length === 0) io.stdout.write('nothing due to settle\n');
      for (const s of result.settled) io.stdout.write(`${describe(s)}\n`);
      io.stdout.write(`${describePayouts(result.payouts, result.waitingFor, chinaDate(clock.now()))}\n`);
      return 0;
    }
    const settled = await settleTradeDate(deps, parsed.date);
    io.stdout.write(`${describe(settled)}\n`);
    const { payouts, waitingFor } = await payoutsIfComplete(deps, settled.settlementDate);
    io.stdout.write(`${describePayouts(payouts, waitingFor, settled.settlementDate)}\n`);
    return 0;
  } catch (error) {
    if (
      error instanceof SettlementNotDueError ||
      error instanceof CalendarYearMissingError ||
      error instanceof RangeError
    ) {
      io.stderr.write(`juhepay settle: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
