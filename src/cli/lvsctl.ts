/**
 * `lvsctl`: the operator's view (docs/cli.md). Declares commands only; verbs live in cli/lvsctl/.
 */
import { Command } from 'commander';
import { run as status, type StatusOptions } from './lvsctl/status.js';
import { run as vrrp } from './lvsctl/vrrp.js';
import { run as reload } from './lvsctl/reload.js';
import { run as director } from './lvsctl/director.js';
import { run as sync } from './lvsctl/sync.js';
import { run as checks } from './lvsctl/checks.js';
import { run as weight } from './lvsctl/drain.js';
import type { Io } from './io.js';
import { parseToExitCode, stdio } from './io.js';
import { DEFAULT_SOCKET } from './paths.js';

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
    .command('checks')
    .description('health checks per real server: state, last result and reason, latency, since when, drains')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      code = await checks({ json: opts.json === true, socket: program.opts<{ socket: string }>().socket }, io);
    });
  for (const action of ['drain', 'enable'] as const) {
    program
      .command(`${action} <service> <real>`)
      .description(action === 'drain'
        ? 'weight 0 for a real server (connections finish, no new ones); kept across reloads. SERVICE: VIP:PORT, [VIP6]:PORT, "TCP VIP:PORT" or "FWM N"; REAL: RIP:PORT'
        : 'undo drain: the real server gets its configured weight back (if its checks pass)')
      .action(async (service: string, realServer: string) => {
        code = await weight({ socket: program.opts<{ socket: string }>().socket, action, service, realServer }, io);
      });
  }
  program
    .command('reload')
    .description('ask lvsd to reload its configuration')
    .action(async () => {
      code = await reload({ socket: program.opts<{ socket: string }>().socket }, io);
    });
  return parseToExitCode(program, argv, () => code);
}
