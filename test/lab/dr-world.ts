/**
 * The direct-routing world of test/lab/dr.test.ts and bench/dr-failover.ts, in namespaces on
 * one bridge (topology.ts): dirA .1, dirB .2, client .3, rs1 .4 (nginx), rs2 .5 (a Node
 * server), VIP 198.51.100.100 with two services: :80 round robin and :8080 with persistence,
 * both by direct routing to both real servers (prepared with `lvsd realserver`).
 * The directors' keepalived.conf serves lvsd and keepalived alike.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { execa } from 'execa';
import { LVSD, REPO } from '../netns/lvsd-harness.js';
import { killPids } from '../netns/kp-peers.js';
import { makeLan, nsExec, type Lan } from '../netns/topology.js';
import { waitUntil } from '../fixtures/wait.js';

export const VIP = '198.51.100.100';
export const PLAIN_PORT = 80;
export const PERSISTENT_PORT = 8080;
export const PERSISTENCE_S = 300;
export const VRID = 51;

export interface World {
  readonly lan: Lan;
  /** Scratch folder (configs, pid files, sockets). */
  readonly dir: string;
  /** Real server name (as it answers) by host name. */
  readonly answers: { readonly rs1: string; readonly rs2: string };
  /** Stops the processes started on the LAN (close() runs them). */
  readonly stops: Array<() => void>;
  close(): void;
}

type Teardown = Pick<ExecutionContext, 'teardown'> | undefined;

/** nginx in the foreground, one process, no idle timeout on kept-alive connections, everything in `dir`. */
function nginxConfig(dir: string, name: string, ports: readonly number[]): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_timeout 3600s;
    keepalive_requests 100000000;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    default_type text/plain;
    server {
${ports.map((p) => `        listen ${p};\n`).join('')}        location / { return 200 "${name}\\n"; }
    }
}
`;
}

/** Debian's nginx in `ns` answering "NAME\n" on `ports`, configured in a fresh folder under `dir`; returns its stop. */
export function startNginx(o: { ns: string; dir: string; name: string; ports: readonly number[] }): () => void {
  const home = mkdtempSync(join(o.dir, 'nginx-'));
  const conf = join(home, 'nginx.conf');
  writeFileSync(conf, nginxConfig(home, o.name, o.ports));
  return background(o.ns, ['nginx', '-p', home, '-c', conf, '-e', join(home, 'nginx-error.log')]);
}

/** Starts `argv` in `ns` in the background; killed by `stop` (every process of the namespace goes with the LAN). */
function background(ns: string, argv: readonly string[]): () => void {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: 'ignore' });
  return () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
}

/** The LAN (its removal registered with `t`); nothing runs on it yet. */
export function makeWorld(t: Teardown, dir: string): World {
  const lan = makeLan(undefined, ['dirA', 'dirB', 'client', 'rs1', 'rs2']);
  const stops: Array<() => void> = [];
  const close = (): void => {
    for (const s of stops.splice(0)) s();
    lan.destroy();
  };
  t?.teardown(close);
  return { lan, dir, answers: { rs1: 'rs1 nginx', rs2: 'rs2 node' }, stops, close };
}

/**
 * Both real servers prepared with `lvsd realserver` (VIP on lo, ARP sysctls) and serving: nginx
 * on rs1, the Node server on rs2; resolves once both answer on both ports through their own
 * address. Start the directors first: every Node process takes seconds under emulation.
 */
export async function startRealServers(w: World): Promise<void> {
  const { lan, dir, answers } = w;
  await Promise.all((['rs1', 'rs2'] as const).map((rs) =>
    execa('ip', ['netns', 'exec', lan.ns[rs]!, process.execPath, LVSD, 'realserver', '--vip', VIP, '--state', join(dir, `${rs}.state`)])));
  w.stops.push(startNginx({ ns: lan.ns.rs1!, dir, name: answers.rs1, ports: [PLAIN_PORT, PERSISTENT_PORT] }));
  w.stops.push(background(lan.ns.rs2!, [process.execPath, join(REPO, 'dist/test/fixtures/http-server.js'), answers.rs2, String(PLAIN_PORT), String(PERSISTENT_PORT)]));
  for (const rs of ['rs1', 'rs2'] as const) {
    for (const port of [PLAIN_PORT, PERSISTENT_PORT]) {
      const url = `http://${lan.ip4[rs]!}:${port}/`;
      await waitUntil(() => curl(lan.ns.client!, url) === `${answers[rs]}\n`, `${rs} answering on ${port}`, 60_000, 200);
    }
  }
}

/** One `GET url` from namespace `ns`: the body, or '' when it failed (the callers poll). */
export function curl(ns: string, url: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '3', url], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

export interface DirectorConf {
  readonly name: string;
  readonly priority: number;
  /** keepalived's advert_int text, in seconds ("0.5"). */
  readonly advertInt: string;
  readonly sync: boolean;
  /** Weight of rs1 on the plain port (the reload scenario changes it). */
  readonly rs1Weight?: number;
}

/** keepalived.conf for one director: VRRPv3, the VIP, both services, `lvs_sync_daemon eth0 VI_1`. */
export function directorConfig(w: World, c: DirectorConf): string {
  const rs = (port: number, weight = 1): string => ['rs1', 'rs2'].map((h) => `    real_server ${w.lan.ip4[h]!} ${port} {
        weight ${h === 'rs1' ? weight : 1}
    }
`).join('');
  return `global_defs {
    router_id ${c.name}
    vrrp_version 3
${c.sync ? '    lvs_sync_daemon eth0 VI_1\n' : ''}}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id ${VRID}
    priority ${c.priority}
    advert_int ${c.advertInt}
    virtual_ipaddress {
        ${VIP}/24
    }
}
virtual_server ${VIP} ${PLAIN_PORT} {
    lb_algo rr
    lb_kind DR
    protocol TCP
${rs(PLAIN_PORT, c.rs1Weight)}}
virtual_server ${VIP} ${PERSISTENT_PORT} {
    lb_algo rr
    lb_kind DR
    protocol TCP
    persistence_timeout ${PERSISTENCE_S}
${rs(PERSISTENT_PORT)}}
`;
}

/**
 * RFC 5798 §6.1 Master_Down_Interval of a backup of `priority` (v3, ms): 3 × the master's
 * advert interval + Skew_Time ((256 - priority) × interval / 256).
 */
export function masterDownMs(advertInt: string, priority: number): number {
  const ms = Number(advertInt) * 1000;
  return 3 * ms + ((256 - priority) * ms) / 256;
}

/** The kernel's sync daemons in `ns` as `ipvsadm -L -n --daemon` prints them: their states, sorted. */
export function syncStates(ns: string): string[] {
  return nsExec(ns, 'ipvsadm', ['-L', '-n', '--daemon']).split('\n')
    .map((l) => /^(master|backup) sync daemon/.exec(l)?.[1]).filter((s): s is string => s !== undefined).sort();
}

/** Client ports with an ESTABLISHED connection to the VIP in `ns`'s IPVS table (`ipvsadm -L -n -c`). */
export function establishedPorts(w: World, ns: string): Set<number> {
  const out = nsExec(ns, 'ipvsadm', ['-L', '-n', '-c']);
  const re = new RegExp(`ESTABLISHED\\s+${w.lan.ip4.client!.replaceAll('.', '\\.')}:(\\d+)\\s+${VIP.replaceAll('.', '\\.')}:`, 'g');
  return new Set([...out.matchAll(re)].map((m) => Number(m[1])));
}

/**
 * A crash of a director, prepared ahead: `ip -batch -` waits in its namespace, so the crash is
 * SIGSTOP to every pid (listed by the caller), one line to that process (the link goes down
 * within milliseconds, where spawning `ip` takes hundreds under emulation), then SIGKILL.
 * Stopped daemons send nothing more, and the kernel forwards (VIP and table in place) only
 * until the link is down, milliseconds later. Stopped first, no daemon reacts to its link going
 * down: off the wire nothing it did would be seen, but that work (a VRRP fault, lvsd's real-time
 * thread first) shared the guest's two CPUs with the client, the real servers and the watcher
 * timing the crash, for one implementation more than the other. Killed first, a daemon's exit
 * (tearing down lvsd's heap) would hold up the link going down, the kernel forwarding meanwhile.
 */
export interface Crasher {
  /** The pid of the waiting `ip` (it lives in the namespace: leave it out of the victims). */
  readonly pid: number;
  /** SIGSTOP to `pids`, link down (once `ip` has done it), SIGKILL to `pids`. */
  crash(pids: readonly number[]): Promise<void>;
  close(): void;
}

export async function crasher(t: Teardown, ns: string): Promise<Crasher> {
  const ip = spawn('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  ip.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  /** Runs `commands`, the last one being `link show dev eth0`: resolves once its line is out. */
  const run = (commands: string): Promise<void> => new Promise((resolve, reject) => {
    out = '';
    const check = (): void => {
      if (!out.includes('eth0')) return;
      ip.stdout.off('data', check);
      resolve();
    };
    ip.stdout.on('data', check);
    ip.once('exit', (code) => reject(new Error(`ip -batch exited (${code})`)));
    ip.stdin.write(commands);
  });
  await run('link show dev eth0\n'); // ready (spawning it takes a while under emulation)
  const close = (): void => { if (ip.exitCode === null) ip.kill('SIGKILL'); };
  t?.teardown(close);
  return {
    pid: ip.pid!,
    crash: async (pids) => {
      killPids(pids, 'SIGSTOP');
      await run('link set eth0 down\nlink show dev eth0\n');
      killPids(pids);
      ip.stdin.end();
    },
    close,
  };
}

/** The link of `ns` is down (operstate). */
export const linkDown = (ns: string): boolean => nsExec(ns, 'cat', ['/sys/class/net/eth0/operstate']).trim() === 'down';
