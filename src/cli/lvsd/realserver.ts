/** `lvsd realserver --vip IP[,IP...] [--dev IF] [--undo]` (CLI.md). */
import { prepareRealServer, undoRealServer, DEFAULT_STATE } from '../../net/realserver.js';
import { parseVipList } from '../../net/realserver-plan.js';
import type { Io } from '../io.js';

export async function run(opts: { vip?: string; dev: string; undo?: boolean; state?: string }, io: Io): Promise<number> {
  const parsed = parseVipList(opts.vip ?? '');
  if (parsed.problems.length > 0) {
    for (const p of parsed.problems) io.err(`lvsd realserver: ${p}\n`);
    return 2;
  }
  const args = { vips: parsed.vips, dev: opts.dev, statePath: opts.state ?? DEFAULT_STATE };
  try {
    const r = opts.undo ? await undoRealServer(args) : await prepareRealServer(args);
    for (const c of r.sysctls) io.out(`sysctl ${c.key}: ${c.from} -> ${c.to}\n`);
    for (const v of r.vips) io.out(`${v.address} on ${opts.dev}: ${v.action}\n`);
    if (r.sysctls.length === 0 && r.vips.every((v) => v.action === 'present' || v.action === 'absent')) io.out('nothing to change\n');
    return 0;
  } catch (e) {
    io.err(`lvsd realserver: ${(e as Error).message}\n`);
    return 1;
  }
}
