import test from 'ava';
import { KernelError } from '../../errors.js';
import { run, type StatusDeps, type StatusOptions } from './status.js';
import { AF_INET, FWD_MASQ, IPPROTO_TCP, type IpvsBackend, type IpvsServiceWithDests } from '../../ipvs/index.js';

const TABLE: IpvsServiceWithDests[] = [{
  service: { af: AF_INET, protocol: IPPROTO_TCP, addr: '192.0.2.10', port: 80, fwmark: 0, sched: 'rr', flags: 2, timeout: 0, netmask: 0xffffffff },
  dests: [{ af: AF_INET, addr: '10.0.0.1', port: 80, fwd: FWD_MASQ, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, activeConns: 1, inactConns: 2 }],
}];

function fake(fail?: KernelError): { backend: IpvsBackend; closed: () => boolean } {
  let closed = false;
  const reject = async (): Promise<never> => { throw fail ?? new Error('unused'); };
  const backend: IpvsBackend = {
    kind: 'netlink',
    info: async () => (fail ? reject() : { version: 0x010201, connTabSize: 4096 }),
    dump: async () => TABLE,
    apply: reject, flush: reject, zero: reject, setTimeouts: reject, startDaemon: reject, stopDaemon: reject,
    getTimeouts: async () => ({ tcp: 900, tcpFin: 120, udp: 300 }),
    getDaemons: async () => [],
    close: () => { closed = true; },
  };
  return { backend, closed: () => closed };
}

async function exec(opts: StatusOptions, deps: StatusDeps): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(opts, { out: (s) => { out += s; }, err: (s) => { err += s; } }, deps);
  return { code, out, err };
}

test('lists the table and closes the backend', async (t) => {
  const f = fake();
  const r = await exec({ numeric: true }, { open: async () => f.backend });
  t.is(r.code, 0);
  t.is(r.out.split('\n')[3], 'TCP  192.0.2.10:80 rr');
  t.is(r.out.split('\n')[4], '  -> 10.0.0.1:80                  Masq    1      1          2         ');
  t.true(f.closed());
});

test('without CAP_NET_ADMIN it says so plainly and exits 1', async (t) => {
  const eperm = new KernelError({ op: 'query', target: 'IPVS info', errno: 1, code: 'EPERM', syscall: 'sendmsg', meaning: 'Operation not permitted' });
  const r = await exec({}, { open: async () => fake(eperm).backend });
  t.is(r.code, 1);
  t.is(r.out, '');
  t.regex(r.err, /permission denied: reading the IPVS table needs root \(CAP_NET_ADMIN\)/);
});

test('-c reads the connection table after asking IPVS, --timeout prints the timeouts', async (t) => {
  const f = fake();
  const c = await exec({ connection: true }, { open: async () => f.backend, readConnTable: async () => 'Pro FromIP\n' });
  t.is(c.out, 'IPVS connection entries\npro expire state       source             virtual            destination\n');
  const to = await exec({ timeout: true }, { open: async () => fake().backend });
  t.is(to.out, 'Timeout (tcp tcpfin udp): 900 120 300\n');
});

test('conflicting options are usage errors (exit 2), as ipvsadm refuses them', async (t) => {
  for (const o of [{ connection: true, stats: true }, { timeout: true, daemon: true }, { save: true, rate: true }] as StatusOptions[]) {
    const r = await exec(o, { open: async () => fake().backend });
    t.is(r.code, 2, JSON.stringify(o));
    t.not(r.err, '');
  }
});
