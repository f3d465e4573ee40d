/** `lvsd -t -f FILE`: every problem as FILE:LINE:COL: message; exit 0 valid, 1 not. Touches nothing. */
import { readConfig } from '../../daemon/read-config.js';
import type { Io } from '../io.js';

export function testConfig(path: string, io: Io): number {
  const r = readConfig(path);
  for (const w of r.warnings) io.err(`${w} (warning)\n`);
  if (!r.ok) {
    for (const e of r.errors) io.err(`${e}\n`);
    return 1;
  }
  const c = r.config;
  io.out(`${path}: ${c.format} configuration OK: ${c.vrrp.length} vrrp instance(s), ${c.services.length} virtual service(s)\n`);
  return 0;
}
