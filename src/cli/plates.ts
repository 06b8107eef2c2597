import { accessSync, constants, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import {
  createPlateBatch,
  getBatch,
  isValidAmountFen,
  listBatchPlates,
  MAX_BATCH_SIZE,
  plateUrl,
  renderPlateSheet,
} from '../merchants/plates/index.js';
import type { Config } from '../platform/config.js';
import { openDatabase } from '../platform/db/index.js';
import { pgliteDir } from './data-dir.js';
import { migrateDatabase } from './migrate.js';

/**
 * `juhepay plates create --count N [--amount FEN] --out sheet.pdf`: creates a batch of blank plates
 * straight in the database and writes its printable sheet, with a progress bar on stderr.
 */

export const PLATES_USAGE = 'usage: juhepay plates create --count N [--amount FEN] --out sheet.pdf';

export interface PlatesArgs {
  count: number;
  amount: number | null;
  out: string;
}

/** Parses `create --count N [--amount FEN] --out FILE` (also `--count=N`); a string is the error. */
export function parsePlatesArgs(args: readonly string[]): PlatesArgs | string {
  const [sub, ...rest] = args;
  if (sub !== 'create') return sub ? `unknown plates command ${JSON.stringify(sub)}` : 'missing command';
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const m = /^--(count|amount|out)(?:=(.*))?$/.exec(arg);
    if (!m) return `unknown argument ${JSON.stringify(arg)}`;
    const value = m[2] ?? rest[++i];
    if (value === undefined || value === '') return `--${m[1]} needs a value`;
    values.set(m[1]!, value);
  }
  const count = Number(values.get('count'));
  if (!/^\d+$/.test(values.get('count') ?? '') || count < 1 || count > MAX_BATCH_SIZE) {
    return `--count must be an integer 1…${MAX_BATCH_SIZE}`;
  }
  const amountText = values.get('amount');
  const amount = amountText === undefined ? null : Number(amountText);
  if (amount !== null && (!/^\d+$/.test(amountText!) || !isValidAmountFen(amount))) {
    return '--amount must be an integer number of fen 1…100000000';
  }
  const out = values.get('out');
  if (!out) return '--out is required';
  return { count, amount, out };
}

/** One line of the bar: "rendering [########------------]  40/100  40%". Pure. */
export function progressLine(label: string, done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  return `${label.padEnd(9)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count} ${String(Math.floor(ratio * 100)).padStart(3)}%`;
}

interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Redraws in place on a terminal; elsewhere (CI logs, pipes) prints a line per 10 %. */
export function progressBar(out: Output, label: string): (done: number, total: number) => void {
  let lastDecile = -1;
  return (done, total) => {
    if (out.isTTY) {
      out.write(`\r${progressLine(label, done, total)}${done >= total ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor((done / total) * 10);
    if (decile === lastDecile && done < total) return;
    lastDecile = decile;
    out.write(`${progressLine(label, done, total)}\n`);
  };
}

function who(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export async function platesCommand(
  config: Config,
  args: readonly string[],
  io: { stdout: Output; stderr: Output } = { stdout: process.stdout, stderr: process.stderr },
  clock: Clock = systemClock,
): Promise<number> {
  const parsed = parsePlatesArgs(args);
  if (typeof parsed === 'string') {
    io.stderr.write(`juhepay plates: ${parsed}\n${PLATES_USAGE}\n`);
    return 2;
  }
  const out = path.resolve(parsed.out);
  // fail before creating plates if the sheet cannot be written
  try {
    accessSync(existsSync(out) ? out : path.dirname(out), constants.W_OK);
  } catch (error) {
    io.stderr.write(`juhepay plates: cannot write ${out}: ${(error as Error).message}\n`);
    return 1;
  }
  if (!config.databaseUrl && existsSync(path.join(pgliteDir(config), 'postmaster.pid'))) {
    // PGlite is single-process: a second process on the same folder would corrupt it
    io.stderr.write(
      `juhepay plates: the embedded database in ${pgliteDir(config)} is in use (postmaster.pid exists). ` +
        'Stop `juhepay start` first, or create plates through POST /admin/v1/plates. ' +
        'If nothing is running, the file is left from a crash: remove it.\n',
    );
    return 1;
  }

  const database = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir(config) });
  try {
    await migrateDatabase(database.db);
    const { batchId } = await createPlateBatch(database.db, parsed.count, parsed.amount, clock, {
      createdBy: who(),
      onProgress: progressBar(io.stderr, 'creating'),
    });
    const batch = await getBatch(database.db, batchId);
    const plates = await listBatchPlates(database.db, batchId);
    const pdf = await renderPlateSheet(
      plates.map((p) => ({
        code: p.code,
        url: plateUrl(config.publicUrl, p.code),
        seq: p.seq,
        amount: p.amount,
      })),
      {
        title: `JuhePay plates - batch ${batch.id}`,
        createdAt: batch.created_at,
        onProgress: progressBar(io.stderr, 'rendering'),
      },
    );
    const partial = `${out}.partial`;
    writeFileSync(partial, pdf);
    renameSync(partial, out); // a reader never sees half a sheet
    io.stdout.write(`batch ${batch.id}: ${plates.length} blank plates; sheet written to ${out}\n`);
    io.stdout.write(`plate URLs start with ${plateUrl(config.publicUrl, '')} (PUBLIC_URL)\n`);
    return 0;
  } catch (error) {
    rmSync(`${out}.partial`, { force: true });
    if (error instanceof ApiError) {
      io.stderr.write(`juhepay plates: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
