import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { PROFILES_USAGE, profilesCommand } from '../../src/cli/profiles.js';
import { loadConfig } from '../../src/platform/config.js';

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { out, text: () => text };
}

it('juhepay profiles refuses anything but `recompute` with the usage and exit code 2', async () => {
  const config = loadConfig({});
  for (const args of [[], ['recompute-all'], ['recompute', '--now']]) {
    const stdout = capture();
    const stderr = capture();
    expect(await profilesCommand(config, args, { stdout: stdout.out, stderr: stderr.out })).toBe(2);
    expect(stderr.text()).toContain(PROFILES_USAGE);
    expect(stdout.text()).toBe('');
  }
});
