/**
 * `lvsd realserver --vip IP[,IP...] [--dev IF] [--persist] [--undo]` (docs/cli.md).
 * `--undo` without `--vip` removes every VIP the state file lists.
 */
import { parseVipList, prepareRealServer, undoRealServer } from '../../net/index.js';
import type { Io } from '../io.js';

/** The options cli/lvsd.ts declares, paths with their defaults (cli/paths.ts) filled in. */
export interface RealServerCliOptions {
  readonly vip?: string;
  readonly dev: string;
  readonly undo?: boolean;
  readonly state: string;
  readonly persist?: boolean;
  readonly sysctlFile: string;
  readonly unitFile: string;
}

export async function run(opts: RealServerCliOptions, io: Io): Promise<number> {
  const parsed = opts.undo && opts.vip === undefined ? { vips: [], problems: [] } : parseVipList(opts.vip ?? '');
  if (parsed.problems.length > 0) {
    for (const p of parsed.problems) io.err(`lvsd realserver: ${p}\n`);
    return 2;
  }
  const paths = { sysctlFile: opts.sysctlFile, unitFile: opts.unitFile };
  const args = { vips: parsed.vips, dev: opts.dev, statePath: opts.state, persistPaths: paths, ...(opts.persist ? { persist: paths } : {}) };
  try {
    const r = opts.undo ? await undoRealServer(args) : await prepareRealServer(args);
    for (const c of r.sysctls) io.out(`sysctl ${c.key}: ${c.from} -> ${c.to}\n`);
    for (const v of r.vips) io.out(`${v.address} on ${opts.dev}: ${v.action}\n`);
    for (const f of r.files) io.out(`boot file ${f.path}: ${f.action}\n`);
    for (const f of r.remaining) io.out(`note: ${f} still applies this at boot; add --persist to remove it\n`);
    if (r.sysctls.length === 0 && r.vips.every((v) => v.action === 'present' || v.action === 'absent') && r.files.length === 0) io.out('nothing to change\n');
    return 0;
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    io.err(`lvsd realserver: ${e.message}\n`);
    return 1;
  }
}
