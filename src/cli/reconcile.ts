import { systemClock, type Clock } from '../core/clock.js';
import type { ChannelId } from '../channels/channel.js';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import { orderRecovery } from '../payments/index.js';
import {
  BILL_FORMATS,
  reconcileDay,
  ReconcileRequestError,
  ReconciliationBusyError,
  type Progress,
} from '../reconciliation/index.js';
import { boot } from './boot.js';
import { progressBar } from './plates.js';

export const RECONCILE_USAGE =
  'usage: juhepay reconcile --date YYYY-MM-DD [--channel wechatpay|alipay|unionpay] [--file PATH]';

type Output = NodeJS.WritableStream & { isTTY?: boolean };

export function parseReconcileArgs(
  args: readonly string[],
): { date: string; channel?: ChannelId; file?: string } | string {
  const out: { date?: string; channel?: ChannelId; file?: string } = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined || value.startsWith('--')) return `${flag} needs a value`;
    if (flag === '--date') out.date = value;
    else if (flag === '--channel') {
      if (!(value in BILL_FORMATS)) return `unknown channel ${JSON.stringify(value)}`;
      out.channel = value as ChannelId;
    } else if (flag === '--file') out.file = value;
    else return `unknown option ${JSON.stringify(flag)}`;
  }
  if (!out.date) return '--date is required';
  if (out.file && !out.channel) return "--file needs --channel (the format is the channel's)";
  return out as { date: string; channel?: ChannelId; file?: string };
}

/**
 * `juhepay reconcile`: the daily reconciliation by hand (the same as the job and
 * POST /admin/v1/reconciliations), one line per reconciliation, a progress bar on stderr.
 * Exit 0 when every reconciliation completed (mismatches or not), 1 when one failed.
 */
export async function reconcileCommand(
  config: Config,
  logger: Logger,
  args: readonly string[],
  io: { stdout: Output; stderr: Output } = { stdout: process.stdout, stderr: process.stderr },
  clock: Clock = systemClock,
): Promise<number> {
  const parsed = parseReconcileArgs(args);
  if (typeof parsed === 'string') {
    io.stderr.write(`juhepay reconcile: ${parsed}\n${RECONCILE_USAGE}\n`);
    return 2;
  }
  const runtime = await boot(config, logger, clock);
  try {
    const deps = { ...runtime.ctx, recoverOrder: orderRecovery(runtime.ctx) };
    const channels = parsed.channel ? [parsed.channel] : (Object.keys(BILL_FORMATS) as ChannelId[]);
    let failed = false;
    for (const channel of channels) {
      if (!runtime.ctx.channels.has(channel)) continue;
      const bars = new Map<string, (done: number, total: number) => void>();
      const onProgress = (p: Progress) => {
        if (p.total <= 0) return;
        const bar = bars.get(p.identity) ?? progressBar(io.stderr, `${channel} ${p.identity}`);
        bars.set(p.identity, bar);
        bar(Math.min(p.done, p.total), p.total);
      };
      let results;
      try {
        results = await reconcileDay(deps, { date: parsed.date, channel, file: parsed.file, onProgress });
      } catch (error) {
        if (!(error instanceof ReconcileRequestError || error instanceof ReconciliationBusyError))
          throw error;
        io.stderr.write(`juhepay reconcile: ${error.message}\n`);
        return 2;
      }
      for (const r of results) {
        const s = r.summary as { matched?: number; mismatched?: number };
        io.stdout.write(
          r.status === 'completed'
            ? `${r.id} ${channel} ${r.trade_date} ${r.identity}: completed, ${s.matched ?? 0} matched, ${s.mismatched ?? 0} mismatched\n`
            : `${r.id} ${channel} ${r.trade_date} ${r.identity}: failed: ${r.reason ?? ''}\n`,
        );
        if (r.status === 'failed') failed = true;
      }
    }
    return failed ? 1 : 0;
  } finally {
    await runtime.close();
  }
}
