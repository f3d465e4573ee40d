// Counts TAP results across files and prints the closing line CI reads:
// "tests: N passed, N failed" (ava prints no such line itself). Exit 1 on any failure
// or when no test ran at all.
import { readFileSync } from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(not ok|ok)\s+\d+/.exec(line);
    if (!m) continue;
    if (/#\s*(SKIP|TODO)/i.test(line)) skipped++;
    else if (m[1] === 'ok') passed++;
    else failed++;
  }
}
const skip = skipped ? `, ${skipped} skipped` : '';
console.log(`tests: ${passed} passed, ${failed} failed${skip}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
