import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePlatesArgs, progressLine } from '../../src/cli/plates.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { decodeCells, requireDecodeTools } from '../support/plates-decode.js';
import { runJuhepay } from '../support/process.js';

// `juhepay plates create` as an operator runs it: a real process on an embedded database, the
// progress bar on stderr, and a sheet whose QR codes decode to the plates it stored.

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'juhepay-plates-'));
  dirs.push(dir);
  return dir;
};
const decoders = requireDecodeTools();

async function juhepay(args: string[], env: Record<string, string>) {
  const proc = runJuhepay(args, { JUHEPAY_DEMO: '0', ...env });
  const code = await proc.exited;
  return { code, output: proc.output() };
}

describe('juhepay plates create', () => {
  it(
    'creates the batch in the database and writes a sheet that decodes to its plates, with a progress bar',
    { timeout: 120_000 },
    async () => {
      const dataDir = tempDir();
      const out = path.join(dataDir, 'sheet.pdf');
      const env = { JUHEPAY_DATA_DIR: dataDir, PUBLIC_URL: 'https://pay.example.test' };
      const { code, output } = await juhepay(
        ['plates', 'create', '--count', '12', '--amount', '500', '--out', out],
        env,
      );
      expect(code, output).toBe(0);
      expect(output).toMatch(/creating +\[#{30}\] 12\/12 100%/);
      expect(output).toMatch(/rendering +\[#{30}\] 12\/12 100%/);
      const batchId = /batch (pbt_[0-9a-z]{26}): 12 blank plates/.exec(output)?.[1];
      expect(batchId, output).toBeDefined();
      expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
      expect(existsSync(`${out}.partial`)).toBe(false);

      const database = await openDatabase({ dataDir: path.join(dataDir, 'pgdata') });
      const stored = await database.db
        .selectFrom('plates')
        .selectAll()
        .where('batch_id', '=', batchId!)
        .execute();
      const batch = await database.db
        .selectFrom('plate_batches')
        .selectAll()
        .where('id', '=', batchId!)
        .executeTakeFirst();
      await database.close();
      expect(stored).toHaveLength(12);
      expect(stored.every((p) => p.status === 'blank' && p.amount === 500)).toBe(true);
      expect(batch?.created_by).toMatch(/^cli/);

      if (decoders) {
        const cells = await decodeCells(readFileSync(out), 150, 12);
        const bySeq = [...stored].sort((a, b) => a.seq! - b.seq!);
        expect(cells).toEqual(bySeq.map((p) => [`https://pay.example.test/q/${p.code}`]));
      }
    },
  );

  it(
    'refuses bad arguments with exit 2 and the usage line, creating nothing',
    { timeout: 60_000 },
    async () => {
      const dataDir = tempDir();
      const { code, output } = await juhepay(['plates', 'create', '--count', '0', '--out', 'x.pdf'], {
        JUHEPAY_DATA_DIR: dataDir,
      });
      expect(code).toBe(2);
      expect(output).toContain('--count must be an integer');
      expect(output).toContain('usage: juhepay plates create');
      expect(existsSync(path.join(dataDir, 'pgdata'))).toBe(false);
    },
  );

  it('refuses an embedded database another process has open', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    mkdirSync(path.join(dataDir, 'pgdata'), { recursive: true });
    writeFileSync(path.join(dataDir, 'pgdata', 'postmaster.pid'), '-42\n');
    const { code, output } = await juhepay(
      ['plates', 'create', '--count', '1', '--out', path.join(dataDir, 's.pdf')],
      {
        JUHEPAY_DATA_DIR: dataDir,
      },
    );
    expect(code).toBe(1);
    expect(output).toContain('is in use');
    expect(existsSync(path.join(dataDir, 's.pdf'))).toBe(false);
  });
});

describe('plates CLI arguments and progress bar', () => {
  it.each([
    [['create', '--count', '3', '--out', 'a.pdf'], { count: 3, amount: null, out: 'a.pdf' }],
    [['create', '--count=3', '--amount=100', '--out=a.pdf'], { count: 3, amount: 100, out: 'a.pdf' }],
  ])('parses %j', (args, expected) => expect(parsePlatesArgs(args)).toEqual(expected));

  it.each([
    [[], 'missing command'],
    [['delete'], 'unknown plates command'],
    [['create', '--out', 'a.pdf'], '--count'],
    [['create', '--count', '10001', '--out', 'a.pdf'], '--count'],
    [['create', '--count', '1e2', '--out', 'a.pdf'], '--count'],
    [['create', '--count', '2', '--amount', '1.5', '--out', 'a.pdf'], '--amount'],
    [['create', '--count', '2', '--amount', '0', '--out', 'a.pdf'], '--amount'],
    [['create', '--count', '2'], '--out is required'],
    [['create', '--count'], 'needs a value'],
    [['create', '--colour', 'red'], 'unknown argument'],
  ])('refuses %j', (args, message) => expect(parsePlatesArgs(args)).toContain(message));

  it('draws a bar proportional to progress', () => {
    expect(progressLine('rendering', 0, 10, 10)).toBe('rendering [----------]  0/10   0%');
    expect(progressLine('rendering', 5, 10, 10)).toBe('rendering [#####-----]  5/10  50%');
    expect(progressLine('creating', 10, 10, 10)).toBe('creating  [##########] 10/10 100%');
  });
});
