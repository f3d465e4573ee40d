/**
 * The ldirectord.cf samples of test/lab/ldirectord-table.test.ts and what the IPVS table must
 * hold in each real-server state. Real servers live on three hosts (rs1, rs2, rs3) of one LAN;
 * every address a sample names is given to one of them (HOST_ADDRESSES), so the samples run
 * with their own addresses. "one down" kills rs2; "all down" kills all three.
 *
 * Samples: ldirectord 4.12's own example (upstream-sample.cf: DR, negotiate http with a
 * virtualhost, fallback, quiescent=no), corpus files of src/config/testdata (gate + ipip with
 * checks on other ports, firewall marks IPv4 and IPv6, the heartbeat pair's quiescent=yes
 * config) and a NAT sample written here (masq, weights, quiescent per block, global fallback).
 * Corpus files without timing get `checkinterval=1` / `checktimeout=2` put in front (globals
 * before the first virtual keep their meaning).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../netns/lvsd-harness.js';

export const RS_HOSTS = ['rs1', 'rs2', 'rs3'] as const;
export type RsHost = (typeof RS_HOSTS)[number];

/** Addresses (with prefix) of the director and of each real-server host. */
export const HOST_ADDRESSES: Readonly<Record<'dir' | RsHost, readonly string[]>> = {
  dir: ['192.168.6.1/24', '10.0.0.1/24', '192.168.15.1/24', '2001:db8::1/64'],
  rs1: ['192.168.6.2/24', '10.0.0.21/24', '192.168.15.11/24', '2001:db8::21/64'],
  rs2: ['192.168.6.3/24', '10.0.0.22/24', '192.168.15.12/24'],
  rs3: ['192.168.6.6/24'],
};

/** Ports every real-server host answers HTTP on (checks: http negotiate and connect). */
export const RS_PORTS = [80, 443, 8080, 8081, 8443] as const;
/** What every real server answers: holds each sample's receive string. */
export const RS_BODY = "Test Page - I'm alive";

export const STATES = ['all up', 'one down', 'all down', 'recovered'] as const;
export type State = (typeof STATES)[number];

/** Which hosts serve in a state. */
export const SERVING: Readonly<Record<State, readonly RsHost[]>> = {
  'all up': RS_HOSTS, 'one down': ['rs1', 'rs3'], 'all down': [], recovered: RS_HOSTS,
};

export interface Sample {
  readonly name: string;
  readonly text: string;
  /** Destinations as `dests()` prints them, sorted, per state (lvsd's; ldirectord's too unless `ldirectord` is given). */
  readonly expect: Readonly<Record<State, readonly string[]>>;
  /** An intended difference (src/config/ldirectord/README.md "Fixed"): what it is, and ldirectord 4.12's tables. */
  readonly differs?: { readonly why: string; readonly ldirectord: Readonly<Record<State, readonly string[]>> };
}

const TIMING = 'checkinterval=1\nchecktimeout=2\n';
const corpus = (file: string, timing = true): string =>
  (timing ? TIMING : '') + readFileSync(join(REPO, 'src/config/testdata', file), 'utf8');

const same = (up: readonly string[], one: readonly string[], none: readonly string[]): Sample['expect'] =>
  ({ 'all up': [...up].sort(), 'one down': [...one].sort(), 'all down': [...none].sort(), recovered: [...up].sort() });

const NAT = `# NAT (masq) with other real ports and weights, quiescent per block, a global fallback.
checkinterval=1
checktimeout=2
quiescent=no
fallback=10.0.0.30:8000 masq
virtual=192.0.2.20:80
	real=10.0.0.21:8080 masq 3
	real=10.0.0.22:8081 masq 2
	service=http
	request="/health"
	receive="Test Page"
	scheduler=wrr
	quiescent=yes
virtual=192.0.2.20:443
	real=10.0.0.21:8443 masq
	real=10.0.0.22:8443 masq
	checktype=connect
`;

export const SAMPLES: readonly Sample[] = [
  {
    name: 'upstream-sample.cf (ldirectord 4.12 example: DR, http, virtualhost, fallback, quiescent=no)',
    text: corpus('ldirectord/upstream-sample.cf', false),
    expect: same(
      ['-t 192.168.6.240:80 192.168.6.2:80 -g w1', '-t 192.168.6.240:80 192.168.6.3:80 -g w1', '-t 192.168.6.240:80 192.168.6.6:80 -g w1'],
      ['-t 192.168.6.240:80 192.168.6.2:80 -g w1', '-t 192.168.6.240:80 192.168.6.6:80 -g w1'],
      ['-t 192.168.6.240:80 127.0.0.1:80 -g w1'],
    ),
  },
  {
    name: 'gate-port.cf (DR and TUN on other real ports, connect checks there, fallback)',
    text: corpus('ldirectord/gate-port.cf'),
    expect: same(
      ['-t 192.0.2.10:80 10.0.0.21:80 -g w1', '-t 192.0.2.10:80 10.0.0.22:80 -i w1'],
      ['-t 192.0.2.10:80 10.0.0.21:80 -g w1'],
      ['-t 192.0.2.10:80 127.0.0.1:80 -g w1'],
    ),
  },
  {
    name: 'fwmark.cf (firewall marks IPv4 with http + fallback, IPv6 with connect)',
    text: corpus('ldirectord/fwmark.cf'),
    expect: same(
      ['-f 1 10.0.0.21:0 -g w1', '-f 1 10.0.0.22:0 -g w1', '-f 2 [2001:db8::21]:0 -g w1'],
      ['-f 1 10.0.0.21:0 -g w1', '-f 2 [2001:db8::21]:0 -g w1'],
      ['-f 1 127.0.0.1:80 -g w1'],
    ),
  },
  {
    name: 'heartbeat pair ldirectord.cf (quiescent=yes, http alive.html, fallback)',
    text: corpus('heartbeat/pair/ldirectord.cf', false),
    expect: same(
      ['-t 192.168.15.51:80 192.168.15.11:80 -g w1', '-t 192.168.15.51:80 192.168.15.12:80 -g w1'],
      ['-t 192.168.15.51:80 192.168.15.11:80 -g w1', '-t 192.168.15.51:80 192.168.15.12:80 -g w0'],
      ['-t 192.168.15.51:80 192.168.15.11:80 -g w0', '-t 192.168.15.51:80 192.168.15.12:80 -g w0', '-t 192.168.15.51:80 127.0.0.1:80 -g w1'],
    ),
  },
  {
    name: 'NAT sample (masq, weights, quiescent=yes in one block, global fallback)',
    text: NAT,
    expect: same(
      ['-t 192.0.2.20:80 10.0.0.21:8080 -m w3', '-t 192.0.2.20:80 10.0.0.22:8081 -m w2', '-t 192.0.2.20:443 10.0.0.21:8443 -m w1', '-t 192.0.2.20:443 10.0.0.22:8443 -m w1'],
      ['-t 192.0.2.20:80 10.0.0.21:8080 -m w3', '-t 192.0.2.20:80 10.0.0.22:8081 -m w0', '-t 192.0.2.20:443 10.0.0.21:8443 -m w1'],
      ['-t 192.0.2.20:80 10.0.0.21:8080 -m w0', '-t 192.0.2.20:80 10.0.0.22:8081 -m w0', '-t 192.0.2.20:80 10.0.0.30:8000 -m w1', '-t 192.0.2.20:443 10.0.0.30:8000 -m w1'],
    ),
  },
];

/**
 * The documented fix of ldirectord's per-real request/receive: a request starting with "/" keeps
 * its receive. ldirectord 4.12 drops it and checks rs1 with the virtual's receive (up); lvsd asks
 * rs1 for "no such text" (down).
 */
export const PER_REAL_RECEIVE: Sample = {
  name: 'per-real request "/alive.html" with its own receive (intended difference)',
  text: `${TIMING}virtual=192.0.2.30:80
	real=10.0.0.21:80 gate 1 "/alive.html", "no such text"
	real=10.0.0.22:80 gate
	service=http
	request="index.html"
	receive="Test Page"
`,
  expect: same(['-t 192.0.2.30:80 10.0.0.22:80 -g w1'], [], []),
  differs: {
    why: 'ldirectord 4.12 loses the receive of a per-real request starting with "/" (README "Fixed")',
    ldirectord: same(['-t 192.0.2.30:80 10.0.0.21:80 -g w1', '-t 192.0.2.30:80 10.0.0.22:80 -g w1'], ['-t 192.0.2.30:80 10.0.0.21:80 -g w1'], []),
  },
};

/** `ipvsadm -S -n` → "SERVICE RIP:PORT FWD wWEIGHT" per destination, sorted (an IPv6 mark's " -6" left out: the address says it). */
export function dests(save: string): string[] {
  const out: string[] = [];
  for (const m of save.matchAll(/^-a (-[tuf] \S+)(?: -6)? -r (\S+) (-[gmi]) -w (\d+)/gm)) out.push(`${m[1]} ${m[2]} ${m[3]} w${m[4]}`);
  return out.sort();
}

/** `ipvsadm -S -n` lines, sorted (the kernel lists destinations in the order they were added). */
export const sortedLines = (save: string): string[] => save.split('\n').filter((l) => l.trim() !== '').sort();
