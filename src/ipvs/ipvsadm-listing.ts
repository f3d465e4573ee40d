/**
 * ipvsadm 1.31 output other than the -S rules (pure): the `-L -n` listings that complete a -S
 * dump (thresholds, connection counts, stats and rates), the timeouts, sync daemon and version
 * lines, and the stderr messages that carry a kernel errno. Formats: ipvsadm 1.31 ipvsadm.c
 * (print_service_entry / list_daemon / print_title); the rule format is in ipvsadm-text.ts.
 */
import { addrPort } from './address.js';
import { listingKey } from './ipvsadm-text.js';
import type { IpvsDaemon, IpvsService, IpvsServiceWithDests, IpvsTimeouts } from './types.js';

/** Columns of an `ipvsadm -L -n --<mode> [--exact]` listing: service key → numbers, "svc|dest" → numbers. */
export function parseListing(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let svc = '';
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/).filter(Boolean);
    if (!t.length || t[0] === 'IP' || t[0] === 'Prot' || (t[0] === '->' && t[1] === 'RemoteAddress:Port')) continue;
    if (t[0] === '->') {
      out.set(`${svc}|${t[1] ?? ''}`, t.slice(2));
    } else if (t[0] === 'FWM') {
      const v6 = t[2] === 'IPv6';
      svc = `FWM ${t[1] ?? ''}${v6 ? ' IPv6' : ''}`;
      out.set(svc, t.slice(v6 ? 3 : 2));
    } else {
      svc = `${t[0]} ${t[1] ?? ''}`;
      out.set(svc, t.slice(2));
    }
  }
  return out;
}

export interface Listings {
  readonly thresholds: Map<string, string[]>; // Uthreshold Lthreshold ActiveConn InActConn
  readonly persistent: Map<string, string[]>; // Weight PersistConn ActiveConn InActConn
  readonly stats: Map<string, string[]>; // Conns InPkts OutPkts InBytes OutBytes (--exact)
  readonly rates: Map<string, string[]>; // CPS InPPS OutPPS InBPS OutBPS (--exact)
}

function statsOf(key: string, l: Listings): IpvsService['stats'] {
  const s = l.stats.get(key);
  const r = l.rates.get(key);
  if (!s || !r) return undefined;
  const n = (a: string[], i: number): bigint => (/^\d+$/.test(a[i] ?? '') ? BigInt(a[i] ?? '0') : 0n);
  return {
    conns: n(s, 0), inPkts: n(s, 1), outPkts: n(s, 2), inBytes: n(s, 3), outBytes: n(s, 4),
    cps: n(r, 0), inPps: n(r, 1), outPps: n(r, 2), inBps: n(r, 3), outBps: n(r, 4),
  };
}

/** Complete a -S dump with thresholds, connection counts and stats from the listings. */
export function mergeListings(save: readonly IpvsServiceWithDests[], l: Listings): IpvsServiceWithDests[] {
  return save.map(({ service, dests }) => {
    const sk = listingKey(service);
    const stats = statsOf(sk, l);
    return {
      service: stats ? { ...service, stats } : service,
      dests: dests.map((d) => {
        const dk = `${sk}|${addrPort(d.af, d.addr, d.port)}`;
        const th = l.thresholds.get(dk) ?? [];
        const pc = l.persistent.get(dk) ?? [];
        const ds = statsOf(dk, l);
        return {
          ...d, uThresh: Number(th[0] ?? 0), lThresh: Number(th[1] ?? 0),
          activeConns: Number(th[2] ?? 0), inactConns: Number(th[3] ?? 0), persistConns: Number(pc[1] ?? 0),
          ...(ds ? { stats: ds } : {}),
        };
      }),
    };
  });
}

/** `Timeout (tcp tcpfin udp): 900 120 300`. */
export function parseTimeouts(text: string): IpvsTimeouts | undefined {
  const m = /Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)/.exec(text);
  return m ? { tcp: Number(m[1]), tcpFin: Number(m[2]), udp: Number(m[3]) } : undefined;
}

/** `master sync daemon (mcast=eth1, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)` per line. */
export function parseDaemons(text: string): IpvsDaemon[] {
  const out: IpvsDaemon[] = [];
  for (const m of text.matchAll(/^(master|backup) sync daemon \(([^)]*)\)/gm)) {
    const kv = new Map((m[2] ?? '').split(', ').map((p) => p.split('=') as [string, string]));
    const num = (k: string, name: keyof IpvsDaemon): Partial<IpvsDaemon> => (kv.has(k) ? { [name]: Number(kv.get(k)) } : {});
    out.push({
      state: m[1] === 'master' ? 'master' : 'backup', mcastIfn: kv.get('mcast') ?? '', syncId: Number(kv.get('syncid') ?? 0),
      ...num('maxlen', 'maxLen'), ...(kv.has('group') ? { mcastGroup: kv.get('group') ?? '' } : {}),
      ...num('port', 'mcastPort'), ...num('ttl', 'mcastTtl'),
    });
  }
  return out;
}

/** `IP Virtual Server version 1.2.1 (size=4096)`. */
export function parseInfo(text: string): { version: number; connTabSize: number } | undefined {
  const m = /IP Virtual Server version (\d+)\.(\d+)\.(\d+) \(size=(\d+)\)/.exec(text);
  if (!m) return undefined;
  return { version: (Number(m[1]) << 16) | (Number(m[2]) << 8) | Number(m[3]), connTabSize: Number(m[4]) };
}

/**
 * ipvs_strerror texts (libipvs.c) and glibc strerror texts ipvsadm may print → errno names.
 * ipvsadm gives the kernel's errno only as this text on stderr (its exit code is 1 for every
 * kernel refusal): reading it is that backend's edge, the one place text becomes an errno;
 * nothing in lvsd reads its own errors' messages.
 */
const MESSAGES: ReadonlyArray<[string, string]> = [
  ['Service already exists', 'EEXIST'],
  ['Scheduler or persistence engine not found', 'ENOENT'],
  ['Scheduler not found', 'ENOENT'],
  ['No such service', 'ESRCH'],
  ['Service not defined', 'ESRCH'],
  ['Destination already exists', 'EEXIST'],
  ['No such destination', 'ENOENT'],
  ['Daemon has already run', 'EEXIST'],
  ['No daemon is running', 'ESRCH'],
  ['Permission denied (you must be root)', 'EPERM'],
  ['Invalid operation.', 'EINVAL'],
  ['Protocol not available', 'ENOPROTOOPT'],
  ['Memory allocation problem', 'ENOMEM'],
  ['Operation not supported with IPv6', 'EOPNOTSUPP'],
  ['Operation not supported with specified address family', 'EAFNOSUPPORT'],
  ['Module is wrong version', 'EMSGSIZE'],
  ['Numerical result out of range', 'ERANGE'],
  ['No such device', 'ENODEV'],
  ['Device or resource busy', 'EBUSY'],
  ['Invalid argument', 'EINVAL'],
  ['Operation not permitted', 'EPERM'],
  ["Can't initialize ipvs", 'ENOENT'],
];

/** errno name for one line ipvsadm printed on stderr; undefined when it is not a known kernel error. */
export function errnoNameOfMessage(line: string): string | undefined {
  const hit = MESSAGES.find(([text]) => line.startsWith(text));
  return hit?.[1];
}

