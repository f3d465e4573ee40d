import test from 'ava';
import { FakeClock } from '../clock.js';
import { loadConfig } from '../config/index.js';
import { type IpvsBackend, MemoryIpvsBackend } from '../ipvs/index.js';
import type { Config } from '../model/index.js';
import { IpvsManager } from './ipvs-manager.js';
import { createLogger, type Logger } from './logger.js';

function config(text: string): Config {
  const r = loadConfig({ path: 'lvsd.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'native' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

/** A logger whose lines a test reads, as pino's own tests do. */
function lines(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const out: Array<Record<string, unknown>> = [];
  return { log: createLogger({ level: 'debug', stream: { write: (s: string) => out.push(JSON.parse(s) as Record<string, unknown>) } }), lines: out };
}

function manager(backend: IpvsBackend, clock = new FakeClock()) {
  const l = lines();
  const opened: string[] = [];
  const m = new IpvsManager({
    log: l.log, time: clock,
    openBackend: async (choice) => {
      opened.push(choice);
      clock.advance(250); // a dump and the ops take "time": the report measures it on the injected clock
      return backend;
    },
  });
  return { m, opened, lines: l.lines };
}

const TWO = 'service tcp 192.0.2.10:80 { real 10.0.0.1 ; real 10.0.0.2 }\nservice tcp 192.0.2.10:443 { scheduler mh ; real 10.0.0.1 }\n';

test('adopts the table: only the minimal operations, services it does not own left alone', async (t) => {
  const backend = new MemoryIpvsBackend();
  await backend.apply({ op: 'add-service', service: { af: 2, protocol: 6, addr: '198.51.100.1', port: 25, fwmark: 0, sched: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff } });
  const { m, opened } = manager(backend);
  t.deepEqual(await m.apply(config(TWO)), { ops: 5, failed: 0 });
  t.deepEqual(opened, ['auto'], 'opened once, with the configured choice');
  t.deepEqual(await m.apply(config(TWO)), { ops: 0, failed: 0 }, 'nothing to do the second time');
  const one = 'service tcp 192.0.2.10:80 { real 10.0.0.1 weight 3 ; real 10.0.0.2 }\n';
  t.deepEqual(await m.apply(config(one)), { ops: 2, failed: 0 }, 'one weight edited, the :443 service deleted');
  t.deepEqual(backend.history.slice(-2).map((h) => h.op.op), ['edit-dest', 'del-service']);
  const services = (await backend.dump()).map((s) => `${s.service.addr}:${s.service.port}`);
  t.deepEqual(services, ['198.51.100.1:25', '192.0.2.10:80'], 'the foreign service is still there');
  t.deepEqual(opened, ['auto']);
});

test('a refused operation is logged and counted; the others still apply', async (t) => {
  const backend = new MemoryIpvsBackend({ schedulers: ['wlc'] }); // a kernel without ip_vs_mh
  const clock = new FakeClock();
  const { m, lines: out } = manager(backend, clock);
  t.deepEqual(await m.apply(config(TWO)), { ops: 5, failed: 2 });
  const refused = out.filter((l) => l.event === 'ipvs.op').map((l) => `${String(l.op)} ${String((l.err as { code: string }).code)}`);
  t.deepEqual(refused, ['add-service ENOENT', 'add-dest ESRCH']);
  const [svc] = await backend.dump();
  t.deepEqual(svc?.dests.map((d) => d.addr), ['10.0.0.2', '10.0.0.1'], 'the :80 service and both real servers are in');
  t.like(m.stats(), { backend: 'memory', applies: 1, opsApplied: 3, opsFailed: 2, lastApply: { ops: 5, failed: 2, at: '2023-11-14T22:13:20.000Z' } });
  t.like(out.find((l) => l.event === 'ipvs.apply'), { ops: 5, failed: 2, backend: 'memory' });
});

test('a director without services never opens the backend; clean-stop removes only its own services', async (t) => {
  const backend = new MemoryIpvsBackend();
  const { m, opened } = manager(backend);
  t.deepEqual(await m.apply(config('vrrp VI_1 { interface eth0 ; vrid 1 ; vip 192.0.2.1 }\n')), { ops: 0, failed: 0 });
  t.deepEqual(opened, []);
  await m.clean(config(TWO));
  t.deepEqual(opened, [], 'nothing opened, nothing to clean');
  const c = config(`director { clean-stop yes }\n${TWO}`);
  await backend.apply({ op: 'add-service', service: { af: 2, protocol: 17, addr: '198.51.100.1', port: 53, fwmark: 0, sched: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff } });
  await m.apply(c);
  await m.clean(c);
  t.deepEqual((await backend.dump()).map((s) => s.service.port), [53]);
});

/** Counts whole dumps and per-service destination reads. */
class CountingBackend extends MemoryIpvsBackend {
  dumps = 0;
  reads: number[] = [];
  override async dump() {
    this.dumps++;
    return super.dump();
  }
  override async dests(service: Parameters<MemoryIpvsBackend['dests']>[0]) {
    this.reads.push(service.port);
    return super.dests(service);
  }
}

test('a health change edits only the services it concerns, against lvsd\'s own record: no whole dump, no read', async (t) => {
  const backend = new CountingBackend();
  const { m, lines: out } = manager(backend);
  const c = config(TWO);
  await m.apply(c);
  t.is(backend.dumps, 1);
  const [web, mh] = c.services;
  if (web === undefined || mh === undefined) throw new Error('two services expected');
  const down = { ...web, reals: web.reals.filter((rs) => rs.address !== '10.0.0.1') };
  t.deepEqual(await m.applyChanged(c, [down, mh], [down]), { ops: 1, failed: 0 });
  t.is(backend.dumps, 1, 'no whole dump for a health change');
  t.deepEqual(backend.reads, [], 'the whole pass left a record of the service: nothing read');
  t.deepEqual(backend.history.at(-1)?.op, { op: 'del-dest', service: { af: 2, protocol: 6, addr: '192.0.2.10', port: 80, fwmark: 0 }, dest: { af: 2, addr: '10.0.0.1', port: 80 } });
  t.like(out.filter((l) => l.event === 'ipvs.apply').at(-1), { scope: 'changed', ops: 1 });
  t.deepEqual(await m.applyChanged(c, [down, mh], [down]), { ops: 0, failed: 0 }, 'the same state again: nothing to do');
});

test('a refused op drops the record of its service: the next health change reads that service\'s destinations once', async (t) => {
  const backend = new CountingBackend();
  const { m } = manager(backend);
  const c = config(TWO);
  await m.apply(c);
  const [web, mh] = c.services;
  if (web === undefined || mh === undefined) throw new Error('two services expected');
  const svc = { af: 2, protocol: 6, addr: '192.0.2.10', port: 80, fwmark: 0 } as const;
  await backend.apply({ op: 'del-dest', service: svc, dest: { af: 2, addr: '10.0.0.1', port: 80 } });
  const down = { ...web, reals: web.reals.filter((rs) => rs.address !== '10.0.0.1') };
  t.deepEqual(await m.applyChanged(c, [down, mh], [down]), { ops: 1, failed: 1 }, 'the record still had the server: its delete is refused');
  t.deepEqual(backend.reads, []);
  t.deepEqual(await m.applyChanged(c, [web, mh], [web]), { ops: 1, failed: 0 }, 'read from the kernel: the server is added back');
  t.deepEqual(backend.reads, [80]);
  t.deepEqual(await m.applyChanged(c, [down, mh], [down]), { ops: 1, failed: 0 });
  t.deepEqual(backend.reads, [80], 'recorded again after a clean pass');
  const table = (await backend.dump()).map((s) => `${s.service.port}: ${s.dests.map((d) => d.addr).join(' ')}`);
  t.deepEqual(table.sort(), ['443: 10.0.0.1', '80: 10.0.0.2']);
});

test('a health change falls back to the whole table when the service vanished behind its back or was never programmed', async (t) => {
  const backend = new CountingBackend();
  const { m, lines: out } = manager(backend);
  const c = config(TWO);
  const [web, mh] = c.services;
  if (web === undefined || mh === undefined) throw new Error('two services expected');
  t.deepEqual(await m.applyChanged(c, [web, mh], [web]), { ops: 5, failed: 0 }, 'never programmed: the whole pass adds all');
  t.is(backend.dumps, 1);
  await backend.apply({ op: 'del-service', service: { af: 2, protocol: 6, addr: '192.0.2.10', port: 80, fwmark: 0 } });
  const down = { ...web, reals: web.reals.filter((rs) => rs.address !== '10.0.0.1') };
  await m.applyChanged(c, [down, mh], [down]);
  t.is(backend.dumps, 2, 'ESRCH on the add-dest sent the manager to the whole pass');
  t.true(out.some((l) => l.event === 'ipvs.vanished'));
  const table = (await backend.dump()).map((s) => `${s.service.port}: ${s.dests.map((d) => d.addr).join(' ')}`);
  t.deepEqual(table.sort(), ['443: 10.0.0.1', '80: 10.0.0.2']);
});

function keepalived(text: string): Config {
  const r = loadConfig({ path: 'keepalived.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'keepalived' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

test('lvs_timeouts: set once (0 = unchanged), again only when a reload changes them, even without services', async (t) => {
  const backend = new MemoryIpvsBackend();
  const { m, opened, lines: out } = manager(backend);
  const conf = (tcp: number): Config => keepalived(`global_defs {\n  lvs_timeouts tcp ${tcp} udp 60\n}\n`);
  await m.apply(conf(7200));
  t.deepEqual(opened, ['auto'], 'a config without services still opens IPVS to set the timeouts');
  t.deepEqual(await backend.getTimeouts(), { tcp: 7200, tcpFin: 120, udp: 60 }, 'tcpfin left as the kernel had it');
  await backend.setTimeouts({ tcp: 0, tcpFin: 30, udp: 0 }); // an operator's ipvsadm --set
  await m.apply(conf(7200));
  t.is((await backend.getTimeouts()).tcpFin, 30, 'an unchanged config does not set them again');
  await m.apply(conf(3600));
  t.deepEqual(await backend.getTimeouts(), { tcp: 3600, tcpFin: 30, udp: 60 });
  t.deepEqual(out.filter((l) => l.event === 'ipvs.timeouts').map((l) => l.tcpS), [7200, 3600]);
});

test('no lvs_timeouts and no services: IPVS is never opened', async (t) => {
  const { m, opened } = manager(new MemoryIpvsBackend());
  await m.apply(keepalived('global_defs {\n  router_id a\n}\n'));
  t.deepEqual(opened, []);
});
