import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { A4, sheetLayout } from '../../src/merchants/plates/sheet.js';

export const run = promisify(execFile);
export const hasTool = (tool: string) => !spawnSync(tool, ['--help'], { stdio: 'ignore' }).error;
export const decodeToolsPresent = hasTool('pdftoppm') && hasTool('zbarimg');
/** Whether the decoding tests run: they skip without the tools, except on CI (JUHEPAY_REQUIRE_SERVICES=1). */
export function requireDecodeTools(): boolean {
  if (decodeToolsPresent) return true;
  if (process.env.JUHEPAY_REQUIRE_SERVICES === '1') {
    throw new Error(
      'pdftoppm (poppler-utils) and zbarimg (zbar-tools) are required when JUHEPAY_REQUIRE_SERVICES=1',
    );
  }
  return false;
}

/**
 * Rasterises each plate's cell (as cut along its cut line) at `dpi` and returns what zbarimg
 * decodes from it, cell by cell. Cells, not whole pages: a plate is scanned alone, and zbar's
 * whole-image scan now and then misses one of three codes whose finder patterns line up in a row.
 */
export async function decodeCells(pdf: Buffer, dpi: number, count: number): Promise<string[][]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'juhepay-sheet-'));
  const px = (points: number) => Math.round((points * dpi) / 72);
  try {
    const file = path.join(dir, 'sheet.pdf');
    writeFileSync(file, pdf);
    const decoded: string[][] = [];
    for (const cell of sheetLayout(count)) {
      const out = path.join(dir, `cell-${cell.index}`);
      const [x, y] = [px(cell.x), px(A4.height - cell.y - cell.height)];
      const page = String(cell.page + 1);
      const crop = [
        '-x',
        String(x),
        '-y',
        String(y),
        '-W',
        String(px(cell.width)),
        '-H',
        String(px(cell.height)),
      ];
      await run('pdftoppm', [
        '-r',
        String(dpi),
        '-gray',
        '-png',
        '-f',
        page,
        '-l',
        page,
        ...crop,
        '-singlefile',
        file,
        out,
      ]);
      const { stdout } = await run('zbarimg', [
        '--quiet',
        '--raw',
        '-Sdisable',
        '-Sqrcode.enable',
        `${out}.png`,
      ]).catch(
        () => ({ stdout: '' }), // exit 4: nothing found in this cell
      );
      decoded.push(stdout.split('\n').filter(Boolean));
    }
    return decoded;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
