import test from 'ava';
import { loadConfigDetailed } from '../config/index.js';
import { KernelError } from '../errors.js';
import type { StaticNet } from '../model/index.js';
import { createLogger, type Logger } from './logger.js';
import { type StaticEntry, type StaticKernel, StaticNetManager } from './static-net.js';

function statics(body: string): StaticNet | undefined {
  const r = loadConfigDetailed({ path: 'k.conf', text: `${body}\nvrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.200\n }\n}\n`, readFile: () => '', listDir: () => [] });
  if (!r.result.ok) throw new Error(JSON.stringify(r.result.error));
  return r.result.value.statics;
}

function lines(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const out: Array<Record<string, unknown>> = [];
  return { log: createLogger({ level: 'debug', stream: { write: (s: string) => out.push(JSON.parse(s) as Record<string, unknown>) } }), lines: out };
}

/** A kernel that records each call as `add address 192.0.2.1` and refuses what `refuse` names. */
function fakeKernel(o: { refuse?: string } = {}): { kernel: StaticKernel; calls: string[]; opened: number[] } {
  const calls: string[] = [];
  const opened: number[] = [];
  const name = (e: StaticEntry): string => (e.kind === 'address' ? e.entry.address : e.kind === 'route' ? e.entry.dst.address : e.entry.from?.address ?? 'all');
  const op = (verb: 'add' | 'remove', e: StaticEntry): void => {
    calls.push(`${verb} ${e.kind} ${name(e)}`);
    if (o.refuse === name(e)) throw new KernelError({ op: verb, target: name(e), errno: 19, code: 'ENODEV', syscall: 'rtnetlink', meaning: 'no such device' });
  };
  const kernel: StaticKernel = {
    addAddress: async (entry) => { op('add', { kind: 'address', entry }); return 'added'; },
    removeAddress: async (entry) => { op('remove', { kind: 'address', entry }); return 'removed'; },
    addRoute: async (entry) => { op('add', { kind: 'route', entry }); return 'added'; },
    removeRoute: async (entry) => { op('remove', { kind: 'route', entry }); return 'removed'; },
    addRule: async (entry) => { op('add', { kind: 'rule', entry }); return 'added'; },
    removeRule: async (entry) => { op('remove', { kind: 'rule', entry }); return 'removed'; },
    describe: name,
    close: () => { opened.push(-1); },
  };
  return { kernel, calls, opened };
}

const ALL = 'static_rules {\n from 192.0.2.0/24 table 7\n}\nstatic_routes {\n 198.51.100.0/24 dev eth1\n}\nstatic_ipaddress {\n 192.0.2.5 dev eth1\n}';

test('start adds addresses, routes, rules in that order; stop removes them in reverse (vrrp_daemon.c)', async (t) => {
  const k = fakeKernel();
  const m = new StaticNetManager({ log: lines().log, open: async () => k.kernel });
  await m.configure(statics(ALL));
  t.deepEqual(k.calls, ['add address 192.0.2.5', 'add route 198.51.100.0', 'add rule 192.0.2.0']);
  k.calls.length = 0;
  await m.clear();
  t.deepEqual(k.calls, ['remove rule 192.0.2.0', 'remove route 198.51.100.0', 'remove address 192.0.2.5']);
  t.deepEqual(k.opened, [-1]);
});

test('reload removes what the new file dropped and adds the new file\'s entries', async (t) => {
  const k = fakeKernel();
  const m = new StaticNetManager({ log: lines().log, open: async () => k.kernel });
  await m.configure(statics(ALL));
  k.calls.length = 0;
  await m.configure(statics('static_ipaddress {\n 192.0.2.5 dev eth1\n 192.0.2.6 dev eth1\n}'));
  t.deepEqual(k.calls, ['remove rule 192.0.2.0', 'remove route 198.51.100.0', 'add address 192.0.2.5', 'add address 192.0.2.6']);
});

test('a config without statics never opens rtnetlink; a failure is logged and the rest still goes in', async (t) => {
  let opens = 0;
  const none = new StaticNetManager({ log: lines().log, open: async () => { opens++; return fakeKernel().kernel; } });
  await none.configure(undefined);
  await none.clear();
  t.is(opens, 0);
  const k = fakeKernel({ refuse: '198.51.100.0' });
  const l = lines();
  const m = new StaticNetManager({ log: l.log, open: async () => k.kernel });
  await m.configure(statics(ALL));
  t.is(k.calls.length, 3);
  t.deepEqual(l.lines.map((x) => [x['event'], x['kind'], x['target'], x['result']]), [
    ['static.add', 'address', '192.0.2.5', 'added'], ['static.error', 'route', '198.51.100.0', undefined], ['static.add', 'rule', '192.0.2.0', 'added'],
  ]);
});
