import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileCommand } from '../../src/cli/reconcile.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';

/**
 * `juhepay reconcile --file`: the published WeChat sample bill (45 rows, none of them JuhePay's)
 * reconciled in an embedded installation: completed, every row channel-only, a progress bar.
 */

const SAMPLE = fileURLToPath(new URL('../fixtures/bills/wechat-ALL.csv', import.meta.url));

function capture(tty: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = tty;
  return { stream, text: () => text };
}

describe('juhepay reconcile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recon-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reconciles a downloaded bill with a progress bar; bad arguments exit 2', async () => {
    const config = loadConfig({ JUHEPAY_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const logger = createLogger('silent');
    const out = capture(false);
    const err = capture(false);
    const io = { stdout: out.stream, stderr: err.stream };
    expect(await reconcileCommand(config, logger, ['--date', '2019-02-19'], io)).toBe(0);
    const code = await reconcileCommand(
      config,
      logger,
      ['--date', '2019-02-19', '--channel', 'wechatpay', '--file', SAMPLE],
      io,
    );
    expect(code, err.text()).toBe(0);
    expect(out.text()).toMatch(/rec_\w+ wechatpay 2019-02-19 file: completed, 0 matched, 45 mismatched/);
    expect(err.text()).toMatch(/100%/);
    expect(await reconcileCommand(config, logger, ['--channel', 'wechatpay'], io)).toBe(2);
    expect(err.text()).toMatch(/--date is required/);
  }, 120_000);
});
