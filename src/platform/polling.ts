/**
 * Calls `round` every intervalMs (at once again while it reports a full batch) until the returned
 * function is called; that resolves when the current round is over. Rounds never overlap: the
 * next is scheduled only when the previous one is done. A failed round goes to `onError` and the
 * next tick tries again.
 */
export function startPolling(
  round: () => Promise<boolean>,
  options: { intervalMs: number; onError: (err: unknown) => void },
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    timer = undefined;
    current = (async () => {
      let full = true;
      while (full && !stopped) {
        try {
          full = await round();
        } catch (err) {
          options.onError(err);
          full = false;
        }
      }
      if (!stopped) timer = setTimeout(tick, options.intervalMs);
    })();
  };
  timer = setTimeout(tick, 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await current;
  };
}
