// Prints one closing line for all Jest runs: "tests: N passed, N failed, N skipped".
const fs = require('node:fs');

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = 0;
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) {
    broken++;
    continue;
  }
  const run = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += run.numPassedTests;
  failed += run.numFailedTests;
  skipped += run.numPendingTests + run.numTodoTests;
  broken += run.numRuntimeErrorTestSuites;
}
if (broken > 0) console.log(`${broken} test suite(s) failed to run`);
console.log(`tests: ${passed} passed, ${failed + broken} failed, ${skipped} skipped`);
process.exit(failed + broken > 0 || passed === 0 ? 1 : 0);
