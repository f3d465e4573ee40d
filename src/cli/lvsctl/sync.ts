/**
 * `lvsctl sync [--json]`: the IPVS sync daemons as the kernel runs them (GET_DAEMON, works
 * without lvsd) and, when lvsd answers on its control socket, what lvsd wants and why: the
 * VRRP instance it follows and its role, its last change and its last error.
 * Exit 0 when the kernel could be read (lvsd not running is reported, not an error), else 1.
 */
import { controlRequest } from '../../control/index.js';
import { formatDaemon, type IpvsBackend, type IpvsDaemon, openIpvsBackend } from '../../ipvs/index.js';
import { KernelError, LvsdError } from '../../errors.js';
import { sameDaemon, type SyncStatus } from '../../sync/index.js';
import type { Io } from '../io.js';

export interface SyncView {
  readonly kernel: readonly IpvsDaemon[] | null;
  readonly kernelError: string | null;
  readonly lvsd: SyncStatus | null;
  readonly lvsdError: string | null;
}

/** Injected edges (tests); defaults: the IPVS backend and lvsd's control socket. */
export interface SyncDeps {
  readonly open?: () => Promise<Pick<IpvsBackend, 'getDaemons' | 'close'>>;
  readonly ask?: (socket: string) => Promise<SyncStatus>;
}

async function readKernel(deps: SyncDeps): Promise<Pick<SyncView, 'kernel' | 'kernelError'>> {
  let backend: Pick<IpvsBackend, 'getDaemons' | 'close'> | undefined;
  try {
    backend = await (deps.open ?? (() => openIpvsBackend()))();
    return { kernel: await backend.getDaemons(), kernelError: null };
  } catch (e) {
    if (!(e instanceof LvsdError)) throw e;
    const denied = e instanceof KernelError && (e.code === 'EPERM' || e.code === 'EACCES');
    return { kernel: null, kernelError: denied ? 'permission denied: reading the sync daemons needs root (CAP_NET_ADMIN)' : e.message };
  } finally {
    backend?.close();
  }
}

async function readLvsd(socket: string, deps: SyncDeps): Promise<Pick<SyncView, 'lvsd' | 'lvsdError'>> {
  try {
    const ask = deps.ask ?? ((s: string) => controlRequest(s, 'sync', undefined, { timeoutMs: 5000 }));
    return { lvsd: await ask(socket), lvsdError: null };
  } catch (e) {
    if (!(e instanceof LvsdError)) throw e;
    return { lvsd: null, lvsdError: e.message };
  }
}

export async function run(opts: { json: boolean; socket: string }, io: Io, deps: SyncDeps = {}): Promise<number> {
  const [k, l] = await Promise.all([readKernel(deps), readLvsd(opts.socket, deps)]);
  const view: SyncView = { ...k, ...l };
  io.out(opts.json ? `${JSON.stringify(view, null, 2)}\n` : formatSync(view));
  if (view.kernelError !== null) io.err(`lvsctl sync: ${view.kernelError}\n`);
  return view.kernelError === null ? 0 : 1;
}

function daemonText(d: IpvsDaemon): string {
  return `${d.state} on ${d.mcastIfn} (syncid ${d.syncId})`;
}

/** Pure rendering of both views; says whether lvsd's intent and the kernel agree. */
export function formatSync(v: SyncView): string {
  const lines = ['kernel:'];
  if (v.kernel === null) lines.push(`  unreadable: ${v.kernelError ?? '?'}`);
  else if (v.kernel.length === 0) lines.push('  no sync daemon running');
  else lines.push(...formatDaemon(v.kernel).trimEnd().split('\n').map((l) => `  ${l}`));
  const s = v.lvsd;
  if (s === null) {
    lines.push(`lvsd: not reachable (${v.lvsdError ?? '?'})`);
    return `${lines.join('\n')}\n`;
  }
  if (!s.configured) {
    lines.push('lvsd: no sync daemon configured (the kernel\'s daemons are left alone)');
    return `${lines.join('\n')}\n`;
  }
  const why = s.mode === 'both' ? 'active-active' : `follows ${s.instance ?? '?'} (${s.role ?? 'no role yet'})`;
  lines.push(`lvsd: ${why}: ${s.wanted === null ? 'undecided, leaves the kernel as it is' : `wants ${s.wanted.map(daemonText).join(' and ')}`}`);
  if (s.wanted !== null && v.kernel !== null) {
    const wanted = s.wanted;
    const kernel = v.kernel;
    const inStep = wanted.length === kernel.length && wanted.every((w) => kernel.some((r) => sameDaemon(w, r)));
    lines.push(`lvsd: ${inStep ? 'in step with the kernel' : 'NOT in step with the kernel (see the last error)'}`);
  }
  lines.push(`lvsd: last change ${s.lastChange ? `${s.lastChange.at}: ${s.lastChange.ops.join(', ')}` : '-'}`);
  lines.push(`lvsd: last error ${s.lastError ? `${s.lastError.at}: ${s.lastError.message}` : '-'}`);
  return `${lines.join('\n')}\n`;
}
