import autocannon from 'autocannon';
import type { ServerChild } from './child.js';
import { machineBusyMs } from './machine-cpu.js';

/** One autocannon round against one server child, with CPU use on both sides of the wire. */

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  requests?: autocannon.RequestSpec[];
}

export interface LoadRound {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  /** non-2xx responses plus connection errors (autocannon counts timeouts among errors) */
  failures: number;
  statusCodes: Record<string, number>;
  /** CPU time over wall time: ~100% means that process is the bottleneck (one core each) */
  serverCpu: number;
  loaderCpu: number;
  /** CPU the rest of the machine used meanwhile, same unit: high means a shared, noisy box */
  otherCpu: number;
}

export async function runLoad(server: ServerChild, options: LoadOptions): Promise<LoadRound> {
  const serverBefore = await server.cpuMicros();
  const loaderBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 10,
    ...(options.requests ? { requests: options.requests } : {}),
  });
  const wallMicros = Number(process.hrtime.bigint() - started) / 1000;
  const loader = process.cpuUsage(loaderBefore);
  const serverMicros = (await server.cpuMicros()) - serverBefore;
  const machineMicros = (machineBusyMs() - machineBefore) * 1000;
  const loaderMicros = loader.user + loader.system;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, Number(stat.count)]),
  );
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    failures: result.non2xx + result.errors,
    statusCodes,
    serverCpu: serverMicros / wallMicros,
    loaderCpu: loaderMicros / wallMicros,
    otherCpu: Math.max(0, machineMicros - serverMicros - loaderMicros) / wallMicros,
  };
}
