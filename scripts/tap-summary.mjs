// Counts TAP results across files and prints the closing line CI reads:
// "tests: N passed, N failed" (ava prints no such line itself). Exit 1 on any failure
// or when no test ran at all.
// A skipped test (`# SKIP`, or a `# TODO` one) passes nothing: with CI=true each one is a
// failure, listed by name, so a missing tool (tshark, keepalived, the lab's ip_vs) cannot
// turn a test green by skipping it. Outside CI they are counted and listed as skipped.
import { readFileSync } from 'node:fs';

const ci = process.env.CI === 'true' || process.env.CI === '1';
let passed = 0, failed = 0;
const skipped = [];
for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(not ok|ok)\s+\d+/.exec(line);
    if (!m) continue;
    if (/#\s*(SKIP|TODO)/i.test(line)) skipped.push(`${file}: ${line}`);
    else if (m[1] === 'ok') passed++;
    else failed++;
  }
}
for (const s of skipped) console.log(`${ci ? 'skipped under CI=true, counted as failed' : 'skipped'}: ${s}`);
if (ci) failed += skipped.length;
const skip = skipped.length && !ci ? `, ${skipped.length} skipped` : '';
console.log(`tests: ${passed} passed, ${failed} failed${skip}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
