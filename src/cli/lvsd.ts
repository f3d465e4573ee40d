/**
 * `lvsd`: the director (docs/cli.md). Declares options only; each verb lives in cli/lvsd/ and
 * is loaded when it runs, so `-t` and the ldirectord-style verbs do not load the director.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Io } from './io.js';
import { parseToExitCode, stdio } from './io.js';
import type { LvsdOptions } from './lvsd/options.js';
import type { RealServerCliOptions } from './lvsd/realserver.js';
import { prestartVrrpWorker } from '../vrrp/index.js';
import {
  DEFAULT_CONFIG, DEFAULT_LOG_FILE, DEFAULT_PID_FILE, DEFAULT_REALSERVER_STATE, DEFAULT_REALSERVER_SYSCTL_FILE, DEFAULT_REALSERVER_UNIT_FILE, DEFAULT_SOCKET,
} from './paths.js';

function rtPriority(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 99) throw new InvalidArgumentError('expected an integer 0-99');
  return n;
}

/** `lvsd VERB` or, as ldirectord, `lvsd CONFIG VERB` (CONFIG looked up in /etc/ha.d first). */
async function verbs(words: readonly string[], opts: LvsdOptions, io: Io): Promise<number> {
  const v = await import('./lvsd/verbs.js');
  const [first = '', second] = words;
  if (second === undefined) return v.verb(first, opts, io);
  return v.verb(second, { ...opts, config: v.ldirectordConfigPath(first) }, io);
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  let code = 0;
  const program = new Command('lvsd')
    .description('high-availability director for Linux Virtual Server')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .option('-f, --config <file>', "config file: lvsd's native format, keepalived.conf or ldirectord.cf, told apart by content", DEFAULT_CONFIG)
    .option('--ha-dir <dir>', 'heartbeat directory (ha.cf, haresources, authkeys and the ldirectord.cf it names), instead of -f')
    .option('-t, --test', 'validate only: print every problem as FILE:LINE:COL: message; exit 0 when valid, 1 when not')
    .option('--strict', 'with -t: warnings (compatibility differences) are errors')
    .option('-i, --config-id <id>', "keepalived.conf: the config id that @ID lines and ${_INSTANCE} see (keepalived -i); default: the host name up to its first dot")
    .option('-n, --foreground', 'stay in the foreground, log to stdout')
    .option('--socket <path>', 'control socket', DEFAULT_SOCKET)
    .option('--pid-file <path>', 'pid file', DEFAULT_PID_FILE)
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error']).default('info'))
    .option('--log-file <file>', 'log file when not in the foreground', DEFAULT_LOG_FILE)
    .addOption(new Option('--vrrp-rt-priority <n>', 'SCHED_RR priority of the VRRP thread (1-99; 0 = off)').argParser(rtPriority).default(10))
    .option('--watch-connections', 'hold an idle TCP connection to each checked real server; when it is lost, check at once instead of at the next delay_loop')
    .addOption(new Option('--debug-burn-main <ms>', 'debug: keep the main thread busy MS ms out of every MS+5').argParser(Number).hideHelp())
    .addOption(new Option('--debug-ipvs-memory', 'debug: program an in-memory IPVS table, not the kernel (benchmarks on a kernel without ip_vs)').hideHelp())
    .argument('[verb...]', 'start|stop|restart|try-restart|reload|force-reload|status, or CONFIG VERB as ldirectord takes them')
    .action(async (words: string[], given: LvsdOptions) => {
      // A heartbeat directory is read wherever a config path goes (reload and detach included).
      const opts = given.haDir !== undefined ? { ...given, config: given.haDir } : given;
      if (words.length > 2) {
        io.err('lvsd: expected VERB or CONFIG VERB\n');
        code = 2;
      } else if (opts.test) code = (await import('./lvsd/test-config.js')).testConfig(opts.config, io, { strict: opts.strict === true, ...(opts.configId !== undefined ? { configId: opts.configId } : {}) });
      else if (words.length > 0) code = await verbs(words, opts, io);
      else {
        // The director runs in this process: its VRRP worker loads while this thread does.
        if (opts.foreground) prestartVrrpWorker();
        const [{ runDirector }, { runChild }, { verb }] = await Promise.all([import('./lvsd/run.js'), import('./lvsd/execute.js'), import('./lvsd/verbs.js')]);
        code = await runDirector(opts, io, { children: (log) => runChild(opts, log, verb) });
      }
    });
  program
    .command('realserver')
    .description('prepare a direct-routing real server (VIP on lo, arp_ignore/arp_announce), or --undo it')
    .option('--vip <list>', 'IP[,IP...] (with --undo: default all prepared VIPs)')
    .option('--dev <if>', 'device that gets the VIPs', 'lo')
    .option('--undo', 'remove the VIPs; once none is left, restore the saved sysctls')
    .option('--persist', 'also write (or with --undo remove) the boot-time sysctl.d file and systemd unit')
    .option('--state <file>', 'where the original sysctl values are kept', DEFAULT_REALSERVER_STATE)
    .option('--sysctl-file <file>', 'the sysctl.d file of --persist', DEFAULT_REALSERVER_SYSCTL_FILE)
    .option('--unit-file <file>', 'the systemd unit of --persist (enabled through multi-user.target.wants beside it)', DEFAULT_REALSERVER_UNIT_FILE)
    .action(async (o: RealServerCliOptions) => {
      code = await (await import('./lvsd/realserver.js')).run(o, io);
    });
  return parseToExitCode(program, argv, () => code);
}
