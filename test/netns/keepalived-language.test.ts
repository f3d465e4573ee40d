/**
 * keepalived.conf's line language against keepalived 2.2.7 itself: for each file and config id,
 * `lvsd -t -i ID` accepts exactly when `keepalived -t -i ID` does (except where lvsd refuses on
 * purpose, named in the case), and for an accepted file both build the same VRRP meaning: the
 * router id and, per instance, its interface, VRID, priority, initial state and virtual IPs,
 * read from keepalived's own configuration dump (`keepalived -n -l -d`, started in a namespace
 * with eth0..eth3 and stopped once the dump is out).
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../../src/daemon/index.js';
import { waitUntil } from '../fixtures/wait.js';
import { keepalivedAvailable, oracleNamespace } from './keepalived-oracle.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const LVSD = join(ROOT, 'bin/lvsd');
const available = keepalivedAvailable;

function namespaceWithInterfaces(t: ExecutionContext): string {
  return oracleNamespace(t, 'kal');
}

interface Meaning {
  routerId: string;
  instances: Array<{ name: string; iface: string; vrid: number; priority: number; state: string; vips: string[] }>;
}

/** keepalived's dump (`-d`) of the VRRP configuration it built. */
function parseDump(out: string): Meaning {
  const routerId = /Router ID = (\S+)/.exec(out)?.[1] ?? '';
  const topology = out.slice(out.indexOf('< VRRP Topology >'), out.indexOf('< Interfaces >'));
  const instances = topology.split(/ VRRP Instance = /).slice(1).map((block) => ({
    name: /^(\S+)/.exec(block)?.[1] ?? '',
    iface: /Interface = (\S+)/.exec(block)?.[1] ?? '',
    vrid: Number(/Virtual Router ID = (\d+)/.exec(block)?.[1]),
    priority: Number(/Priority = (\d+)/.exec(block)?.[1]),
    state: /Wantstate = (\S+)/.exec(block)?.[1] ?? '',
    // A full-length prefix is dumped without "/32" ("/128").
    vips: [...block.matchAll(/^.*?\s([0-9a-f.:]+)(\/\d+)? dev \S+ scope/gm)].map((m) => `${m[1] ?? ''}${m[2] ?? ((m[1] ?? '').includes(':') ? '/128' : '/32')}`),
  }));
  return { routerId, instances };
}

async function keepalivedMeaning(t: ExecutionContext, o: { ns: string; file: string; id: string; dir: string }): Promise<Meaning> {
  execFileSync('ip', ['-n', o.ns, 'link', 'set', 'eth0', 'up']);
  const child = spawn('ip', ['netns', 'exec', o.ns, 'keepalived', '-n', '-l', '-d', '-P', '-i', o.id, '-f', o.file,
    '-p', join(o.dir, 'k.pid'), '-r', join(o.dir, 'v.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await exited; } });
  await waitUntil(() => out.includes('< Interfaces >'), `keepalived's configuration dump for ${o.file}`, 15_000, 50);
  child.kill('SIGTERM');
  await exited;
  return parseDump(out);
}

function lvsdMeaning(file: string, id: string): Meaning | undefined {
  const r = readConfig(file, { configId: id });
  if (!r.ok) return undefined;
  return {
    routerId: r.config.routerId,
    instances: r.config.vrrp.map((v) => ({
      name: v.name, iface: v.interface, vrid: v.vrid, priority: v.priority, state: v.initialState, vips: v.vips.map((x) => `${x.address}/${x.prefix}`),
    })),
  };
}

/** global_defs with `globals` (a router_id by default: lvsd's default one differs, issue 9), then one instance with these VIPs and extra lines. */
const V = (vips: string, extra = '', globals = '  router_id r\n'): string =>
  `global_defs {\n${globals}}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 7\n${extra}  virtual_ipaddress {\n${vips}\n  }\n}\n`;

interface Case {
  readonly title: string;
  readonly files: Record<string, string>;
  readonly ids: readonly string[];
  /** lvsd refuses on purpose what keepalived accepts: the reason, checked in lvsd's output. */
  readonly lvsdRefuses?: RegExp;
}

const CASES: readonly Case[] = [
  {
    title: 'substitution.conf from the golden tests (multiline definitions, @ID, ~SEQ, ~LST, an include)',
    files: {
      'keepalived.conf': readFileSync(join(ROOT, 'src/config/testdata/keepalived/substitution.conf'), 'utf8'),
      'inc/definitions.conf': readFileSync(join(ROOT, 'src/config/testdata/keepalived/inc/definitions.conf'), 'utf8'),
    },
    ids: ['lb1', 'lb2'],
  },
  {
    title: 'keepalived.conf(5) conditional example: @main / @backup / @^main',
    files: {
      'keepalived.conf': V('    @^main 10.0.0.4/24\n    @^backup 10.0.0.5/24\n    @^backup2 10.0.0.6/24', '  @main priority 200\n  @backup state MASTER\n  @backup priority 150\n',
        '  @main router_id main_router\n  @backup router_id backup_router\n'),
    },
    // "other" sets no router_id: both use the host name.
    ids: ['main', 'backup', 'other'],
  },
  {
    title: 'a keyword given again: the last one wins (router_id x then @main router_id y, priority twice)',
    files: { 'keepalived.conf': V('    10.0.0.9/32', '  priority 50\n  @main priority 150\n', '  router_id x\n  @main router_id y\n') },
    ids: ['main', 'other'],
  },
  {
    title: 'state MASTER without priority is 255; priority 255 without state starts MASTER; no router_id is the host name',
    files: { 'keepalived.conf': V('    10.0.0.9/32', '  @m state MASTER\n  @o priority 255\n', '') },
    ids: ['m', 'o', 'x'],
  },
  {
    title: 'virtual_ipaddress given twice appends; an address written twice is kept twice',
    files: { 'keepalived.conf': V('    10.0.0.9/32\n    10.0.0.8\n    10.0.0.9/32 label eth0:1\n  }\n  virtual_ipaddress {\n    10.0.0.7') },
    ids: ['x'],
  },
  {
    title: 'definitions resolved at use, ${NAME} beside text, $NAME before a blank',
    files: { 'keepalived.conf': '$B=10.2.${SUB}\n$SUB=0\n$P=150\n' + V('    ${B}.100/32\n    ${B}.1/32 dev eth0', '  priority $P\n') },
    ids: ['x'],
  },
  {
    title: 'nested ~SEQ, ~SEQx and ~LST groups',
    files: { 'keepalived.conf': V('    ~SEQ(A, 1, 2) ~SEQ(B, 3, 4) 10.${A}.0.${B}/32\n    ~SEQx(H, 0x0a, 0x0b) fd00::${H}/128\n    ~LST({X, Y}, {1, 2}, {3}) 10.9.${X}.1${Y}/32') },
    ids: ['x'],
  },
  {
    title: 'a reference without braces glued to text is not replaced: both refuse "$V/24"',
    files: { 'keepalived.conf': `$V=10.0.0.1\n${V('    $V/24')}` },
    ids: ['x'],
  },
  {
    title: 'a ~SEQ stepping away from its end is refused by both',
    files: { 'keepalived.conf': V('    ~SEQ(N, 1, -1, 5) 10.0.0.${N}/32\n    10.0.0.9/32') },
    ids: ['x'],
  },
  {
    title: 'includew of a pattern matching nothing is refused by both',
    files: { 'keepalived.conf': `${V('    10.0.0.9/32')}includew none-*.conf\n` },
    ids: ['x'],
  },
  {
    title: '${_RANDOM} is accepted by keepalived, refused by lvsd',
    files: { 'keepalived.conf': V('    10.0.0.9/32', '  priority ${_RANDOM 1 9}\n') },
    ids: ['x'],
    lvsdRefuses: /\$\{_RANDOM\} is not supported by lvsd/,
  },
];

for (const c of CASES) {
  (available ? test.serial : test.skip)(`lvsd and keepalived 2.2.7 agree: ${c.title}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-kal-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, text] of Object.entries(c.files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const file = join(dir, 'keepalived.conf');
    for (const id of c.ids) {
      const ns = namespaceWithInterfaces(t);
      const kp = spawnSync('ip', ['netns', 'exec', ns, 'keepalived', '-t', '-i', id, '-f', file], { encoding: 'utf8', timeout: 10_000 });
      const lv = spawnSync(process.execPath, [LVSD, '-t', '-i', id, '-f', file], { encoding: 'utf8', timeout: 20_000 });
      const said = `keepalived -t (${String(kp.status)}):\n${kp.stdout}${kp.stderr}\nlvsd -t (${String(lv.status)}):\n${lv.stdout}${lv.stderr}`;
      if (c.lvsdRefuses !== undefined) {
        t.is(kp.status, 0, said);
        t.is(lv.status, 1, said);
        t.regex(lv.stderr, c.lvsdRefuses);
        continue;
      }
      t.is(lv.status === 0, kp.status === 0, `id ${id}: lvsd and keepalived disagree on acceptance\n${said}`);
      if (lv.status !== 0 || kp.status !== 0) continue;
      t.deepEqual(lvsdMeaning(file, id), await keepalivedMeaning(t, { ns, file, id, dir }), `id ${id}`);
    }
  });
}
