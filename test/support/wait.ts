/**
 * The one polling wait of the tests: calls `check` until it gives a value (anything but undefined
 * or false), failing after `timeoutMs`. Only for what is truly asynchronous — a child process, a
 * real socket or HTTP server, a stream consumer. Sandbox and job delays move with the ManualClock
 * instead (TestSandbox.advance / settled, PaymentsEnv.runJobs), never with real time.
 */
export async function waitUntil<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  options: {
    timeoutMs?: number;
    intervalMs?: number;
    /** a reason to stop at once (e.g. the child process exited); its text goes in the error */
    abort?: () => string | undefined;
  } = {},
): Promise<Exclude<T, undefined | false>> {
  const { timeoutMs = 10_000, intervalMs = 10, abort } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    const aborted = abort?.();
    if (aborted !== undefined) throw new Error(`${what}: ${aborted}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
