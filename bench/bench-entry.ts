/**
 * The frame of bench/checks and bench/ldirectord: `report` renders the saved results (no root);
 * the other parts need root (network namespaces); SIGINT / SIGTERM remove what the run has built
 * (pendingTeardowns) before exiting 130.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pendingTeardowns } from './checks-topology.js';

export const log = (s: string): void => { process.stderr.write(`${s}\n`); };

export async function benchEntry(name: string, o: { readonly report?: { readonly file: string; readonly text: () => string }; readonly run: () => Promise<number> }): Promise<void> {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const teardown of [...pendingTeardowns]) teardown();
      process.exit(130);
    });
  }
  if (o.report !== undefined) {
    const text = o.report.text();
    mkdirSync(dirname(o.report.file), { recursive: true });
    writeFileSync(o.report.file, text);
    process.stdout.write(text);
    process.exitCode = 0;
    return;
  }
  if (process.getuid?.() !== 0) {
    log(`bench/${name}: must run as root (network namespaces)`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = await o.run();
}
