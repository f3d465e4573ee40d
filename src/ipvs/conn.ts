/**
 * `ipvsadm -L -n -c`: the connection table, rendered from /proc/net/ip_vs_conn (pure).
 *
 * Netlink has no connection listing; ipvsadm 1.31 (ipvsadm.c list_conn / print_conn) reads
 * the proc file, skips its header line, sscanf()s each line with
 * "%s %s %hX %s %hX %s %hX %s %d %s %s" and prints it again. The kernel
 * (net/netfilter/ipvs/ip_vs_conn.c, ip_vs_conn_seq_show, 6.1) writes
 * "%-3s %08X %04X %08X %04X %s %04X %-11s %7u%s": IPv4 addresses as 8 hex digits, IPv6 as
 * full %pI6 text, the dest in its own family, then " PENAME PEDATA" when a persistence
 * engine holds data.
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../model/index.js';

export interface ConnEntry {
  readonly protocol: string; // "TCP", "UDP", "SCTP", "IP" (templates)
  readonly client: string; // addr:port text as ipvsadm prints it
  readonly virtual: string;
  readonly dest: string;
  readonly state: string;
  readonly expiresS: number;
  readonly peName?: string;
  readonly peData?: string;
}

/** Address text for one proc field; `v6` says whether the line's client address was IPv6. */
function renderAddr(field: string, allowV6: boolean): { text: string; v6: boolean } {
  if (allowV6) {
    const b6 = parseIPv6(field);
    if (b6 !== undefined) return { text: formatIPv6(b6), v6: true };
  }
  const b4 = parseIPv4(field);
  if (b4 !== undefined) return { text: formatIPv4(b4), v6: false };
  // strtoul(…, 16): leading hex digits, 0 when none; the low 32 bits as an IPv4 address.
  const m = /^[0-9a-fA-F]*/.exec(field)?.[0] ?? '';
  const v = m === '' ? 0 : Number(BigInt.asUintN(32, BigInt(`0x${m.slice(-16)}`)));
  return { text: formatIPv4(new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff])), v6: false };
}

/** %hX: hex digits read into an unsigned short. */
function hexPort(field: string | undefined): number {
  const m = /^[0-9a-fA-F]+/.exec(field ?? '')?.[0];
  return m === undefined ? 0 : Number(BigInt.asUintN(16, BigInt(`0x${m.slice(-8)}`)));
}

function withPort(text: string, v6: boolean, port: number): string {
  return v6 ? `[${text}]:${port}` : `${text}:${port}`;
}

/** One proc line → an entry; undefined for a line with fewer than 9 fields (never written by the kernel). */
export function parseConnLine(line: string): ConnEntry | undefined {
  const f = line.trim().split(/\s+/);
  if (f.length < 9) return undefined;
  const [proto = '', c = '', cport, v = '', vport, d = '', dport, state = '', expires = '0', peName, peData] = f;
  // ipvsadm decides the family of client and virtual from the client field alone.
  const client = renderAddr(c, true);
  const virt = client.v6 ? renderAddr(v, true) : renderAddr(v, false);
  const dst = renderAddr(d, true);
  const exp = /^-?[0-9]+/.exec(expires)?.[0] ?? '0';
  return {
    protocol: proto,
    client: withPort(client.text, client.v6, hexPort(cport)),
    virtual: withPort(virt.text, client.v6, hexPort(vport)),
    dest: withPort(dst.text, dst.v6, hexPort(dport)),
    state,
    expiresS: Number(BigInt.asUintN(32, BigInt(exp))),
    ...(peName !== undefined && peData !== undefined ? { peName, peData } : {}),
  };
}

const left = (s: string, w: number): string => s.padEnd(w, ' ');

/** "%02d:%02d" of minutes and seconds. */
function expire(s: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

/** One printed row (print_conn). */
export function formatConnEntry(e: ConnEntry, persistentConn: boolean): string {
  const head = `${left(e.protocol, 3)} ${left(expire(e.expiresS), 6)} ${left(e.state, 11)} ${left(e.client, 18)} ${left(e.virtual, 18)}`;
  if (persistentConn && e.peName !== undefined && e.peData !== undefined) {
    // ipvsadm 1.31 prints dest %-16s and pe name %-18s (the header has them the other way round).
    return `${head} ${left(e.dest, 16)} ${left(e.peName, 18)} ${e.peData}\n`;
  }
  return `${head} ${e.dest}\n`;
}

/** The whole `-c` listing from the proc file's text (its first line is the kernel's header). */
export function formatConns(procText: string, opts: { persistentConn?: boolean } = {}): string {
  const pc = opts.persistentConn ?? false;
  let out = 'IPVS connection entries\n';
  out += pc
    ? `pro expire ${left('state', 11)} ${left('source', 18)} ${left('virtual', 18)} ${left('destination', 18)} ${left('pe name', 16)} pe_data\n`
    : `pro expire ${left('state', 11)} ${left('source', 18)} ${left('virtual', 18)} destination\n`;
  const lines = procText.split('\n').slice(1);
  for (const line of lines) {
    const e = parseConnLine(line);
    if (e !== undefined) out += formatConnEntry(e, pc);
  }
  return out;
}
