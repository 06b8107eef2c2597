import os from 'node:os';
import { runDbBench } from './db-write.js';
import { runHttpBench } from './http-auth.js';
import { runWebhookBench } from './webhooks.js';
import { runPaymentsBench } from './payments.js';
import { runStartBench } from './start.js';
import { runLedgerBench } from './ledger.js';
import { runRiskBench } from './risk.js';
import { runProfiles1mBench, runProfilesBench } from './profiles.js';
import { runReconciliationBench } from './reconciliation.js';
import { runSettlementBench } from './settlement.js';

/** `npm run bench` runs every benchmark; `npm run bench -- http` or `-- db` runs one. */

const BENCHES: Record<string, () => Promise<boolean>> = {
  http: runHttpBench,
  db: runDbBench,
  webhooks: runWebhookBench,
  payments: runPaymentsBench,
  start: runStartBench,
  ledger: runLedgerBench,
  risk: runRiskBench,
  profiles: runProfilesBench,
  'profiles-1m': runProfiles1mBench,
  reconciliation: runReconciliationBench,
  settlement: runSettlementBench,
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
// the 10^6-event run is asked for by name only
const selected = asked.length > 0 ? asked : Object.keys(BENCHES).filter((name) => name !== 'profiles-1m');

const cpus = os.cpus();
console.log('# JuhePay benchmarks');
console.log(`date:    ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
);
console.log(
  `os:      ${os.type()} ${os.release()} ${os.arch()}, load avg ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`node:    ${process.version}`);
console.log('figures are medians of the rounds; ratios compare targets measured in this same run');

let ok = true;
for (const name of selected) {
  console.log('');
  const bench = BENCHES[name];
  // a crashed benchmark is reported and fails the run, but does not stop the next one
  const passed = await bench?.().catch((error: unknown) => {
    console.log(
      `!!! ${name} CRASHED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return false;
  });
  if (!passed) ok = false;
}
console.log('');
console.log(ok ? 'all benchmarks completed without errors' : '!!! SOME BENCHMARKS FAILED (see above)');
process.exitCode = ok ? 0 : 1;
