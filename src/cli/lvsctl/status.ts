/**
 * `lvsctl status`: the IPVS table exactly as `ipvsadm -L -n` prints it, read straight from
 * the kernel (no lvsd needed). Mirrors ipvsadm 1.31's CMD_LIST dispatch (process_options):
 * -c, --timeout, --daemon and -S each select their own listing; otherwise list_all.
 * Like ipvsadm, every mode first talks to IPVS (GET_INFO), so without CAP_NET_ADMIN every
 * mode fails, with a plain message.
 */
import { readFile } from 'node:fs/promises';
import { KernelError } from '../../errors.js';
import { formatConns, formatDaemon, formatList, formatSave, formatTimeout, type IpvsBackend, type ListOptions, openIpvsBackend } from '../../ipvs/index.js';
import type { Io } from '../io.js';

/** Commander's camel-cased names for the options in docs/cli.md. */
export interface StatusOptions {
  readonly numeric?: boolean; // -n: accepted; output is always numeric
  readonly stats?: boolean;
  readonly rate?: boolean;
  readonly exact?: boolean;
  readonly thresholds?: boolean;
  readonly persistentConn?: boolean;
  readonly tunInfo?: boolean;
  readonly nosort?: boolean;
  readonly connection?: boolean; // -c
  readonly timeout?: boolean;
  readonly daemon?: boolean;
  readonly save?: boolean; // -S
}

/** Injected edges (tests); defaults: openIpvsBackend() (netlink, else ipvsadm) and /proc. */
export interface StatusDeps {
  readonly open?: () => Promise<IpvsBackend>;
  readonly readConnTable?: () => Promise<string>;
}

export const CONN_PROC_FILE = '/proc/net/ip_vs_conn';

/** ipvsadm's option checks for -L (commands_v_options '1' column and the CMD_LIST conflict rule). */
export function checkStatusOptions(o: StatusOptions): string | undefined {
  const exclusive = (['connection', 'timeout', 'daemon', 'save'] as const).filter((k) => o[k]);
  if (exclusive.length > 1) return `options --${exclusive.join(', --')} cannot be combined`;
  const listing = (['stats', 'rate', 'thresholds'] as const).filter((k) => o[k]);
  if ((o.connection || o.timeout || o.daemon) && listing.length > 0) return 'options conflicts in the list command';
  if (o.save && (listing.length > 0 || o.persistentConn || o.exact || o.tunInfo)) return 'option -S takes only -n';
  return undefined;
}

function listOptions(o: StatusOptions): ListOptions {
  return {
    stats: o.stats === true, rate: o.rate === true, thresholds: o.thresholds === true,
    persistentConn: o.persistentConn === true, tunInfo: o.tunInfo === true,
    exact: o.exact === true, nosort: o.nosort === true,
  };
}

async function render(o: StatusOptions, backend: IpvsBackend, deps: StatusDeps): Promise<string> {
  const info = await backend.info(); // ipvs_init: always asked first, as ipvsadm does
  if (o.connection) {
    const text = await (deps.readConnTable ?? (() => readFile(CONN_PROC_FILE, 'utf8')))();
    return formatConns(text, { persistentConn: o.persistentConn === true });
  }
  if (o.timeout) return formatTimeout(await backend.getTimeouts());
  if (o.daemon) return formatDaemon(await backend.getDaemons());
  if (o.save) return formatSave(await backend.dump(), { nosort: o.nosort === true });
  return formatList(info, await backend.dump(), listOptions(o));
}

/** A one-line reason an operator can act on. */
export function describeFailure(e: unknown): string {
  if (e instanceof KernelError && (e.code === 'EPERM' || e.code === 'EACCES')) {
    return 'lvsctl status: permission denied: reading the IPVS table needs root (CAP_NET_ADMIN)\n';
  }
  if (e instanceof Error && 'code' in e && (e.code === 'EACCES' || e.code === 'EPERM')) {
    return `lvsctl status: permission denied: cannot read ${CONN_PROC_FILE} (run as root)\n`;
  }
  if (e instanceof Error && 'code' in e && e.code === 'ENOENT' && !(e instanceof KernelError)) {
    return `lvsctl status: ${CONN_PROC_FILE} does not exist (is the ip_vs module loaded?)\n`;
  }
  return `lvsctl status: ${e instanceof Error ? e.message : String(e)}\n`;
}

export async function run(opts: StatusOptions, io: Io, deps: StatusDeps = {}): Promise<number> {
  const bad = checkStatusOptions(opts);
  if (bad !== undefined) {
    io.err(`lvsctl status: ${bad}\n`);
    return 2;
  }
  let backend: IpvsBackend | undefined;
  try {
    backend = await (deps.open ?? (() => openIpvsBackend()))();
    io.out(await render(opts, backend, deps));
    return 0;
  } catch (e) {
    io.err(describeFailure(e));
    return 1;
  } finally {
    backend?.close();
  }
}
