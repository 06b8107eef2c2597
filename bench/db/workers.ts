import { machineBusyMs } from '../lib/machine-cpu.js';

/** Runs `concurrency` async loops of one transaction each until the deadline. */

export interface WorkerRound {
  txPerSecond: number;
  committed: number;
  /** per-transaction latency in ms, one entry per commit */
  latencies: number[];
  failures: number;
  firstFailure: string | undefined;
  /** this process's CPU time over wall time; PGlite runs in this process, PostgreSQL does not */
  cpu: number;
  /** CPU the rest of the machine used meanwhile: the PostgreSQL server, or other jobs on a shared box */
  restCpu: number;
}

export async function runWorkers(
  concurrency: number,
  seconds: number,
  tx: (worker: number) => Promise<void>,
): Promise<WorkerRound> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (worker: number) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await tx(worker);
        latencies.push(performance.now() - t0);
      } catch (error) {
        failures++;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const ownMs = (cpu.user + cpu.system) / 1000;
  const machineMs = machineBusyMs() - machineBefore;
  return {
    txPerSecond: (latencies.length * 1000) / wallMs,
    committed: latencies.length,
    latencies,
    failures,
    firstFailure,
    cpu: ownMs / wallMs,
    restCpu: Math.max(0, machineMs - ownMs) / wallMs,
  };
}
