/**
 * `lvsd -t -f FILE` (or `--ha-dir DIR`): every problem as FILE:LINE:COL: message, in line order;
 * exit 0 valid (warnings allowed), 1 not; with --strict a warning is an error. Touches nothing.
 */
import { readConfig } from '../../daemon/index.js';
import { diagnosticLine } from '../../model/index.js';
import type { Io } from '../io.js';

export function testConfig(path: string, io: Io, o: { strict?: boolean; configId?: string } = {}): number {
  const r = readConfig(path, { strict: o.strict === true, ...(o.configId !== undefined ? { configId: o.configId } : {}) });
  for (const d of r.diagnostics) io.err(`${diagnosticLine(d)}\n`);
  if (!r.ok) return 1;
  const c = r.config;
  io.out(`${path}: ${c.format} configuration OK: ${c.vrrp.length} vrrp instance(s), ${c.services.length} virtual service(s)\n`);
  return 0;
}
