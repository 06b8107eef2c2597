/**
 * IPC between the benchmark parent and a server child. The server runs in its own process so
 * the load generator in the parent does not compete with it for the same event loop.
 */

export interface ReadyMessage {
  type: 'ready';
  port: number;
  /** merchant credentials, for servers that authenticate requests */
  credentials?: { app_id: string; app_secret: string };
}

/** CPU time the child has used so far (microseconds), to tell a saturated server from an idle one. */
export interface CpuMessage {
  type: 'cpu';
  user: number;
  system: number;
}

export type ChildMessage = ReadyMessage | CpuMessage;
export type ParentMessage = { type: 'cpu' } | { type: 'stop' };

/** Announces the port, answers CPU queries, and closes cleanly when the parent says stop. */
export function serveChild(ready: Omit<ReadyMessage, 'type'>, close: () => Promise<void>): void {
  const send = (message: ChildMessage) => process.send?.(message);
  if (!process.send) throw new Error('bench servers run as a forked child (IPC channel missing)');
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', user, system });
    } else if (message.type === 'stop') {
      void close().finally(() => process.exit(0));
    }
  });
  // An orphaned child (parent crashed) must not keep the port or the core.
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  send({ type: 'ready', ...ready });
}
