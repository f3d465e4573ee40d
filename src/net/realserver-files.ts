/**
 * The files `lvsd realserver` owns (pure): its state file (the sysctl values found before it
 * first changed them, so --undo restores exactly those), and with --persist a sysctl.d file
 * and a systemd unit that bring the real-server setup back at boot.
 *
 * Every file carries a marker, and a file without it is someone else's: lvsd neither reads
 * nor overwrites nor removes it, and says which file it is. A state file that cannot be read
 * is an error, never replaced: it holds the only copy of the original values.
 */
import { isIP } from 'node:net';
import type { Result } from '../errors.js';

export interface RealServerState {
  /** Values before lvsd first touched them; restored by --undo. */
  readonly saved: Readonly<Record<string, string>>;
  readonly vips: readonly string[];
  readonly dev: string;
}

/** The JSON `format` of a state file; files written before it existed have none (accepted). */
export const STATE_FORMAT = 'lvsd-realserver-state/1';

export function encodeState(s: RealServerState): string {
  return `${JSON.stringify({ format: STATE_FORMAT, ...s }, null, 2)}\n`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The state in `text`, or why it is not an lvsd real-server state file. */
export function decodeState(text: string): Result<RealServerState, string> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!isRecord(v)) return { ok: false, error: 'not a JSON object' };
  if (v.format !== undefined && v.format !== STATE_FORMAT) return { ok: false, error: `format ${JSON.stringify(v.format)}, expected ${STATE_FORMAT}` };
  const { saved, vips, dev } = v;
  if (!isRecord(saved) || !Object.entries(saved).every(([k, x]) => /^net\.[\w.-]+$/.test(k) && typeof x === 'string')) {
    return { ok: false, error: '"saved" is not a map of sysctl names to values' };
  }
  if (!Array.isArray(vips) || !vips.every((x) => typeof x === 'string' && isIP(x) !== 0)) return { ok: false, error: '"vips" is not a list of IP addresses' };
  if (typeof dev !== 'string' || dev === '') return { ok: false, error: '"dev" is not an interface name' };
  return { ok: true, value: { saved: saved as Record<string, string>, vips: vips as string[], dev } };
}

/** First line of every file lvsd writes for --persist; a file without it is not lvsd's. */
export const PERSIST_MARKER = '# Written by `lvsd realserver --persist`';

export function ownedByLvsd(text: string): boolean {
  return text.startsWith(PERSIST_MARKER);
}

/** /etc/sysctl.d/NN-*.conf lines (sysctl.d(5)), applied at boot by systemd-sysctl. */
export function sysctlConf(wanted: Readonly<Record<string, string>>): string {
  const lines = [
    `${PERSIST_MARKER}; removed by \`lvsd realserver --undo --persist\`.`,
    '# Direct-routing real server: never answer ARP for the VIPs held on lo.',
    ...Object.entries(wanted).map(([k, v]) => `${k} = ${v}`),
  ];
  return `${lines.join('\n')}\n`;
}

export interface BootVip {
  readonly address: string;
  readonly family: 4 | 6;
}

/** `ip` arguments adding (idempotently: `replace`) or removing one VIP as a /32 or /128. */
export function vipArgs(v: BootVip, dev: string, index: number, verb: 'replace' | 'del'): string[] {
  if (v.family === 6) return ['-6', 'addr', verb, `${v.address}/128`, 'dev', dev, ...(verb === 'replace' ? ['nodad'] : [])];
  return ['addr', verb, `${v.address}/32`, 'dev', dev, ...(verb === 'replace' && dev === 'lo' ? ['label', `lo:${index}`] : [])];
}

/**
 * A oneshot systemd unit (systemd.service(5)) adding the VIPs at boot, after systemd-sysctl and
 * before the network comes up, so the box never answers ARP for them in between. `ip` without
 * a path: systemd ≥ 239 looks it up in its fixed search path. A device other than lo is
 * waited for (BindsTo/After its .device unit).
 */
export function bootUnit(o: { vips: readonly BootVip[]; dev: string }): string {
  const device = o.dev === 'lo' ? [] : [`BindsTo=sys-subsystem-net-devices-${o.dev}.device`, `After=sys-subsystem-net-devices-${o.dev}.device`];
  const lines = [
    `${PERSIST_MARKER}; removed by \`lvsd realserver --undo --persist\`.`,
    '[Unit]',
    `Description=lvsd real server: virtual IPs on ${o.dev}`,
    'DefaultDependencies=no',
    'After=systemd-sysctl.service',
    ...device,
    'Before=network-pre.target',
    'Wants=network-pre.target',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    ...o.vips.map((v, i) => `ExecStart=ip ${vipArgs(v, o.dev, i, 'replace').join(' ')}`),
    ...o.vips.map((v, i) => `ExecStop=-ip ${vipArgs(v, o.dev, i, 'del').join(' ')}`),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  return `${lines.join('\n')}\n`;
}
