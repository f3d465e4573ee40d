/**
 * `lvsctl`: the operator's view (CLI.md). Declares commands only; verbs live in cli/lvsctl/.
 */
import { Command } from 'commander';
import { run as status, type StatusOptions } from './lvsctl/status.js';
import { run as vrrp } from './lvsctl/vrrp.js';
import { run as reload } from './lvsctl/reload.js';
import { run as director } from './lvsctl/director.js';
import { run as sync } from './lvsctl/sync.js';
import type { Io } from './io.js';
import { parseToExitCode, stdio } from './io.js';

export const DEFAULT_SOCKET = '/run/lvsd/lvsd.sock';

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  let code = 0;
  const program = new Command('lvsctl')
    .description("the operator's view of lvsd and the IPVS table")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .option('--socket <path>', 'talk to this lvsd', DEFAULT_SOCKET);
  program
    .command('status')
    .description('the IPVS table, byte-identical to ipvsadm -L -n')
    .option('-n, --numeric', 'numeric output (always on)')
    .option('--stats', 'statistics')
    .option('--rate', 'rates')
    .option('--exact', 'exact numbers')
    .option('--thresholds', 'thresholds')
    .option('--persistent-conn', 'persistent connections')
    .option('--tun-info', 'tunnel information')
    .option('--nosort', 'do not sort (kernel order)')
    .option('-c, --connection', 'connections (ipvsadm -L -n -c)')
    .option('--timeout', 'timeouts')
    .option('--daemon', 'sync daemon state')
    .option('-S, --save', 'rules as ipvsadm -S -n prints them')
    .action(async (opts: StatusOptions) => {
      code = await status(opts, io);
    });
  program
    .command('vrrp')
    .description('VRRP instances: state, priority, master, counters')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      code = await vrrp({ json: opts.json === true, socket: program.opts<{ socket: string }>().socket }, io);
    });
  program
    .command('sync')
    .description('IPVS sync daemons: what the kernel runs, and what lvsd wants (VRRP role followed)')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      code = await sync({ json: opts.json === true, socket: program.opts<{ socket: string }>().socket }, io);
    });
  program
    .command('director')
    .description('the running lvsd: config, IPVS operation counts, VRRP timer lateness')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      code = await director({ json: opts.json === true, socket: program.opts<{ socket: string }>().socket }, io);
    });
  program
    .command('reload')
    .description('ask lvsd to reload its configuration')
    .action(async () => {
      code = await reload({ socket: program.opts<{ socket: string }>().socket }, io);
    });
  return parseToExitCode(program, argv, () => code);
}
