import { startServer, type ServerChild } from './lib/child.js';
import { ROUNDS, SECONDS, WARMUP_SECONDS, describeRun } from './lib/config.js';
import { runLoad, type LoadRound } from './lib/load.js';
import { checkSignedRoute, signedRequests } from './lib/signing.js';
import { fmtInt, fmtPct, fmtRatio, fmtWholeMs, median, noisyMachineNote, printTable } from './lib/stats.js';

/**
 * Signed, authenticated no-op (GET /v1/ping: HMAC check, app lookup, timestamp window,
 * nonce store, response signing) against a bare Fastify route and bare node:http, same run.
 * Each server runs in its own child process; the load generator stays in this one.
 */

const CONNECTIONS = 32;

interface Target {
  name: string;
  server: string;
  path: string;
  signed: boolean;
}

const TARGETS: Target[] = [
  { name: 'juhepay', server: 'juhepay', path: '/v1/ping', signed: true },
  { name: 'bare-fastify', server: 'fastify', path: '/ping', signed: false },
  { name: 'node:http', server: 'node-http', path: '/ping', signed: false },
];

interface Running {
  target: Target;
  child: ServerChild;
  rounds: LoadRound[];
  failures: number;
  statusCodes: Record<string, number>;
}

export async function runHttpBench(): Promise<boolean> {
  console.log(
    `## http-auth: ${CONNECTIONS} connections, pipelining 1, ${describeRun()}, targets interleaved`,
  );
  const running: Running[] = [];
  try {
    for (const target of TARGETS) {
      const child = await startServer(target.server);
      running.push({ target, child, rounds: [], failures: 0, statusCodes: {} });
    }
    for (const r of running) {
      const credentials = r.child.ready.credentials;
      if (!r.target.signed || !credentials) continue;
      const problems = await checkSignedRoute(baseUrl(r), credentials, r.target.path);
      if (problems.length > 0) throw new Error(`${r.target.name} preflight failed: ${problems.join('; ')}`);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const r of running) {
        await measure(r, WARMUP_SECONDS); // discarded, but its failures still count
        const result = await measure(r, SECONDS);
        r.rounds.push(result);
        console.log(
          `  round ${round} ${r.target.name.padEnd(12)} ${fmtInt(result.rps).padStart(7)} req/s  ` +
            `p50 ${fmtWholeMs(result.p50)}  p99 ${fmtWholeMs(result.p99)}  ` +
            `cpu: server ${fmtPct(result.serverCpu)} loader ${fmtPct(result.loaderCpu)} other ${fmtPct(result.otherCpu)}`,
        );
      }
    }
  } finally {
    await Promise.all(running.map((r) => r.child.stop()));
  }
  return report(running);
}

function baseUrl(r: Running): string {
  return `http://127.0.0.1:${r.child.ready.port}`;
}

async function measure(r: Running, seconds: number): Promise<LoadRound> {
  const credentials = r.child.ready.credentials;
  const result = await runLoad(r.child, {
    url: baseUrl(r) + r.target.path,
    seconds,
    connections: CONNECTIONS,
    ...(r.target.signed && credentials ? { requests: signedRequests(credentials, r.target.path) } : {}),
  });
  r.failures += result.failures;
  for (const [code, count] of Object.entries(result.statusCodes))
    r.statusCodes[code] = (r.statusCodes[code] ?? 0) + count;
  return result;
}

function report(running: Running[]): boolean {
  const rps = (name: string) =>
    median(running.find((r) => r.target.name === name)?.rounds.map((x) => x.rps) ?? []);
  console.log('');
  printTable(
    [
      'target',
      'median req/s',
      'p50',
      'p99',
      'server cpu',
      'loader cpu',
      'other cpu',
      'status codes',
      'failures',
    ],
    running.map((r) => [
      `${r.target.name} ${r.target.path}`,
      fmtInt(median(r.rounds.map((x) => x.rps))),
      fmtWholeMs(median(r.rounds.map((x) => x.p50))),
      fmtWholeMs(median(r.rounds.map((x) => x.p99))),
      fmtPct(median(r.rounds.map((x) => x.serverCpu))),
      fmtPct(median(r.rounds.map((x) => x.loaderCpu))),
      fmtPct(median(r.rounds.map((x) => x.otherCpu))),
      Object.entries(r.statusCodes)
        .map(([code, count]) => `${code}:${count}`)
        .join(' '),
      String(r.failures),
    ]),
  );
  console.log('');
  console.log(`ratio juhepay / bare-fastify   = ${fmtRatio(rps('juhepay'), rps('bare-fastify'))}`);
  console.log(`ratio bare-fastify / node:http = ${fmtRatio(rps('bare-fastify'), rps('node:http'))}`);
  console.log('earlier reference on this machine: Fastify+TypeBox ~30k req/s, bare node:http ~38k req/s');
  const LOADER_SATURATED = 0.9;
  for (const r of running.filter((x) => median(x.rounds.map((y) => y.loaderCpu)) >= LOADER_SATURATED)) {
    // one core each: a saturated load generator caps the figure, so it is a lower bound
    console.log(
      `note: loader cpu >= ${fmtPct(LOADER_SATURATED)} on ${r.target.name}: its req/s is a lower bound`,
    );
  }
  const noisy = noisyMachineNote(running.flatMap((r) => r.rounds.map((x) => x.otherCpu)));
  if (noisy) console.log(noisy);
  const failed = running.filter((r) => r.failures > 0);
  for (const r of failed) {
    console.log(`!!! ERRORS: ${r.target.name} had ${r.failures} non-2xx responses or connection errors`);
  }
  if (failed.length > 0) console.log('!!! http-auth FAILED: the figures above are not valid');
  return failed.length === 0;
}
