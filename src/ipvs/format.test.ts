import test from 'ava';
import { readFileSync } from 'node:fs';
import { formatSave } from './format-save.js';
import { formatDaemon, formatList, formatOne, formatTimeout, largenum } from './format.js';
import {
  AF_INET, AF_INET6, FWD_DROUTE, FWD_MASQ, FWD_TUNNEL, IPPROTO_TCP, IPPROTO_UDP, SVC_F_ONEPACKET, SVC_F_PERSISTENT,
  SVC_F_SCHED1, SVC_F_SCHED2, SVC_F_SCHED3, TUN_F_CSUM, TUN_TYPE_GUE, type IpvsDest, type IpvsService,
  type IpvsServiceWithDests, type IpvsStats,
} from './types.js';
import { ZERO_STATS } from './format.js';

/**
 * Goldens under src/ipvs/testdata: ref-*.txt were rebuilt from ipvsadm 1.31's printf format strings
 * (ipvsadm.c print_service_entry, print_title) for TABLE below; lab/*.txt are real ipvsadm output (lab/README.md).
 */
const golden = (name: string): string => readFileSync(new URL(`../../../src/ipvs/testdata/${name}`, import.meta.url), 'utf8');
const INFO = { version: 0x010201, connTabSize: 4096 };

function svc(p: Partial<IpvsService>): IpvsService {
  return { af: AF_INET, protocol: IPPROTO_TCP, addr: '192.168.10.100', port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, ...p };
}
function dst(p: Partial<IpvsDest>): IpvsDest {
  return { af: AF_INET, addr: '10.0.0.11', port: 80, fwd: FWD_DROUTE, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, activeConns: 0, inactConns: 0, persistConns: 0, ...p };
}
function stats(p: Partial<IpvsStats>): IpvsStats {
  return { ...ZERO_STATS, ...p };
}

/** The table of the ref-*.txt goldens, given in a scrambled "kernel" order. */
const TABLE: IpvsServiceWithDests[] = [
  { service: svc({ fwmark: 100, protocol: 0, addr: '', port: 0, sched: 'mh', flags: SVC_F_SCHED1 | SVC_F_SCHED2 }),
    dests: [dst({ addr: '10.0.0.12', port: 0, fwd: FWD_TUNNEL, tunType: TUN_TYPE_GUE, tunPort: 6080, tunFlags: TUN_F_CSUM }), dst({ port: 0, fwd: FWD_TUNNEL })] },
  { service: svc({ af: AF_INET6, addr: '2001:db8::100', sched: 'wrr' }), dests: [dst({ af: AF_INET6, addr: '2001:db8::11' })] },
  { service: svc({ protocol: IPPROTO_UDP, port: 53, sched: 'rr', flags: SVC_F_ONEPACKET }), dests: [dst({ addr: '10.0.1.21', port: 5353, fwd: FWD_MASQ, inactConns: 7 })] },
  { service: svc({ port: 443, sched: 'sh', flags: SVC_F_PERSISTENT | SVC_F_SCHED1 | SVC_F_SCHED2, timeout: 300, netmask: 0xffffff00 }), dests: [dst({ port: 443 })] },
  { service: svc({}), dests: [dst({ addr: '10.0.0.12', weight: 2, activeConns: 3, inactConns: 9 }), dst({ activeConns: 5, inactConns: 12 })] },
];

test('ipvsadm -L -n: reference table, sorted, trailing spaces kept', (t) => {
  t.is(formatList(INFO, TABLE), golden('ref-list.txt'));
});

test('ipvsadm -S -n: reference rules, tunnel options', (t) => {
  t.is(formatSave(TABLE), golden('ref-save.txt'));
});

test('--stats: K/M/G scaling by integer division; dest counters keep their low 32 bits', (t) => {
  const table: IpvsServiceWithDests[] = [{
    service: svc({ stats: stats({ conns: 1234n, inPkts: 56789n, inBytes: 3456789n, outBytes: 123456789012n }) }),
    dests: [dst({ stats: stats({ conns: (1n << 32n) + 617n, inPkts: 28000n, inBytes: 1700000n, outBytes: 61728394506n }) })],
  }];
  t.is(formatList(INFO, table, { stats: true }), golden('ref-stats.txt'));
  const exact = formatList(INFO, table, { stats: true, exact: true }).split('\n')[3];
  t.is(exact, 'TCP  192.168.10.100:80                1234    56789        0  3456789 123456789012');
});

test('largenum boundaries', (t) => {
  t.is(largenum(99999999n, false), ' 99999999');
  t.is(largenum(100000000n, false), '  100000K');
  t.is(largenum(999999999n, false), '  999999K');
  t.is(largenum(1000000000n, false), '    1000M');
  t.is(largenum(99999999999999n, false), '   99999G');
  t.is(largenum(100000000000000n, false), '     100T');
  t.is(largenum(123456789n, true), ' 123456789');
  t.is(largenum(12345678n, true), ' 12345678');
});

test('--rate: dest CPS/PPS columns are %8llu, never scaled', (t) => {
  const table = [{ service: svc({ stats: stats({ cps: 3n, inBps: 250000000n }) }), dests: [dst({ stats: stats({ cps: 123456789n, inBps: 250000000n }) })] }];
  const out = formatList(INFO, table, { rate: true });
  t.is(out.split('\n')[1], 'Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS');
  t.is(out.split('\n')[3], 'TCP  192.168.10.100:80                   3        0        0  250000K        0');
  t.is(out.split('\n')[4], '  -> 10.0.0.11:80                 123456789        0        0  250000K        0');
});

test('--thresholds and --persistent-conn titles and rows end with padded fields', (t) => {
  const table = [{ service: svc({}), dests: [dst({ uThresh: 100, lThresh: 50, activeConns: 2, persistConns: 4, weight: 3 })] }];
  const thr = formatList(INFO, table, { thresholds: true }).split('\n');
  t.is(thr[1], 'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ');
  t.is(thr[4], '  -> 10.0.0.11:80                 100        50         2          0         ');
  const pc = formatList(INFO, table, { persistentConn: true }).split('\n');
  t.is(pc[1], 'Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn ');
  t.is(pc[4], '  -> 10.0.0.11:80                 3         4           2          0         ');
});

test('service line details: signed fwmark, IPv6 fwmark, flag-N names, empty sh flags, IPv6 mask, pe', (t) => {
  const lines = (s: IpvsService): string => formatOne({ service: s, dests: [] }).split('\n')[2] ?? '';
  t.is(lines(svc({ fwmark: 0x80000001, protocol: 0, addr: '', port: 0 })), 'FWM  -2147483647 wlc');
  t.is(lines(svc({ af: AF_INET6, fwmark: 7, protocol: 0, addr: '', port: 0, sched: 'rr', flags: SVC_F_SCHED3 })), 'FWM  7 IPv6 rr (flag-3)');
  t.is(lines(svc({ sched: 'sh', flags: SVC_F_SCHED3 })), 'TCP  192.168.10.100:80 sh ()');
  t.is(lines(svc({ af: AF_INET6, addr: '2001:db8::1', flags: SVC_F_PERSISTENT, timeout: 60, netmask: 64, pe: 'sip' })),
    'TCP  [2001:db8::1]:80 wlc persistent 60 mask 64 pe sip');
  t.is(formatSave([{ service: svc({ flags: SVC_F_PERSISTENT, timeout: 300, pe: 'sip' }), dests: [] }]), '-A -t 192.168.10.100:80 -s wlc -p 300 --pe sip\n');
});

test('--timeout and --daemon lines', (t) => {
  t.is(formatTimeout({ tcp: 900, tcpFin: 120, udp: 300 }), 'Timeout (tcp tcpfin udp): 900 120 300\n');
  t.is(formatDaemon([
    { state: 'master', mcastIfn: 'eth1', syncId: 7, maxLen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 },
    { state: 'backup', mcastIfn: 'eth1', syncId: 7 },
  ]), 'master sync daemon (mcast=eth1, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\nbackup sync daemon (mcast=eth1, syncid=7)\n');
  t.is(formatDaemon([]), '');
});
