// Reads vitest's JSON report: fails when any test was skipped (on CI a skipped service-backed
// suite is a failure) and prints the plain closing line.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// The one test allowed to skip: it compares test/fixtures/vectors with the research folder it was
// copied from, which only a development checkout has beside it (a plain clone has nothing to compare).
const MAY_SKIP = /\(only when \.\.\/shared\/vectors is beside the repository\)/;
const skipped = [];
for (const file of report.testResults) {
  for (const test of file.assertionResults) {
    if (test.status === 'passed' || test.status === 'failed') continue;
    if (MAY_SKIP.test(test.fullName)) continue;
    skipped.push(`${file.name}: ${test.fullName}`);
  }
}
const passed = report.numPassedTests;
const failed = report.numFailedTests;
if (skipped.length) {
  console.error(`${skipped.length} tests did not run:\n  ${skipped.slice(0, 50).join('\n  ')}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped.length} skipped`);
process.exit(failed === 0 && skipped.length === 0 && passed > 0 ? 0 : 1);
