/**
 * Lab: kernel refusals keep their errno and name the object; the other ops of a batch apply.
 * Sync daemons and timeouts against ipvsadm's own view. Run in the QEMU lab:
 *   scripts/lab run -- node_modules/.bin/ava --tap dist/test/lab/errors.test.js
 */
import test from 'ava';
import { parseDaemons } from '../../src/ipvs/ipvsadm-listing.js';
import type { IpvsDest, IpvsOp, IpvsService } from '../../src/ipvs/types.js';
import { ipvsadm, makeNetns, run } from './netns.js';
import type { RunnerError, RunnerResult } from './ipvs-runner.js';

const S1: IpvsService = { af: 2, protocol: 6, addr: '192.0.2.1', port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff };
const S3: IpvsService = { ...S1, addr: '192.0.2.3' };
const S4: IpvsService = { ...S1, addr: '192.0.2.4', protocol: 17, sched: 'rr' };
const V6: IpvsService = { af: 10, protocol: 6, addr: '2001:db8::1', port: 443, fwmark: 0, sched: 'rr', flags: 1, timeout: 60, netmask: 129 };
const RS = (addr: string, more: Partial<IpvsDest> = {}): IpvsDest => ({
  af: 2, addr, port: 80, fwd: 3, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, ...more,
});

/** A batch with one refusal of each kind between valid operations; `want` is the code per op (null = applied). */
const BATCH: ReadonlyArray<[IpvsOp, string | null]> = [
  [{ op: 'add-service', service: S1 }, null],
  [{ op: 'add-service', service: { ...S1, port: 81, sched: 'nosuchsched' } }, 'ENOENT'],
  [{ op: 'add-dest', service: S3, dest: RS('10.200.0.5') }, 'ESRCH'],
  [{ op: 'add-service', service: S1 }, 'EEXIST'],
  [{ op: 'add-service', service: V6 }, 'EINVAL'],
  [{ op: 'add-dest', service: S1, dest: RS('10.200.0.6') }, null],
  [{ op: 'edit-dest', service: S1, dest: RS('10.200.0.7') }, 'ENOENT'],
  [{ op: 'del-service', service: S3 }, 'ESRCH'],
  [{ op: 'add-dest', service: S1, dest: RS('10.200.0.6') }, 'EEXIST'],
  [{ op: 'add-dest', service: S1, dest: RS('10.200.0.8', { uThresh: 10, lThresh: 20 }) }, 'ERANGE'],
  [{ op: 'add-service', service: S4 }, null],
];
const OPS = BATCH.map(([op]) => op);
const WANT = BATCH.map(([, code]) => code);
const SAVED = `-A -t 192.0.2.1:80 -s wlc
-a -t 192.0.2.1:80 -r 10.200.0.6:80 -g -w 1
-A -u 192.0.2.4:80 -s rr
`;

function outcomes(r: RunnerResult | undefined): Array<RunnerError | null> {
  if (!r?.ok) throw new Error(JSON.stringify(r));
  return r.value as Array<RunnerError | null>;
}

for (const [backend, method] of [['netlink', 'applyBatch'], ['netlink', 'applyEach'], ['ipvsadm', 'applyEach'], ['ipvsadm', 'applyBatch']] as const) {
  test.serial(`${backend} ${method}: each refusal has its errno and names the object; the rest applies`, async (t) => {
    const n = await makeNetns(t);
    const got = outcomes((await run(n, backend, [{ method, ops: OPS }]))[0]);
    t.deepEqual(got.map((o) => o?.code ?? null), WANT);
    t.is(got[2]?.message, 'add real server 10.200.0.5:80 to TCP 192.0.2.3:80: no such virtual service (ESRCH)');
    t.is(got[2]?.errno, 3);
    t.is(got[1]?.message, 'add virtual service TCP 192.0.2.1:81: scheduler or persistence engine not found (ENOENT)');
    t.is(got[6]?.message, 'edit real server 10.200.0.7:80 of TCP 192.0.2.1:80: no such real server (ENOENT)');
    t.regex(got[4]?.message ?? '', /^add virtual service TCP \[2001:db8::1\]:443: invalid virtual service/);
    t.is(await ipvsadm(n, '-S', '-n'), SAVED);
  });
}

test.serial('netlink applyBatch: 1,000 refusals in a row are all reported with their own errno (no lost error messages)', async (t) => {
  const n = await makeNetns(t);
  const ops: IpvsOp[] = Array.from({ length: 1000 }, (_, i) => ({ op: 'del-service', service: { ...S1, port: 1000 + i } }));
  ops.splice(500, 0, { op: 'add-service', service: S1 });
  const got = outcomes((await run(n, 'netlink', [{ method: 'applyBatch', ops }]))[0]);
  t.is(got.length, 1001);
  t.is(got[500], null);
  t.deepEqual([...new Set(got.filter((o, i) => i !== 500).map((o) => o?.code))], ['ESRCH']);
  t.is(got[999]?.message, 'delete virtual service TCP 192.0.2.1:1998: no such virtual service (ESRCH)');
  t.is(await ipvsadm(n, '-S', '-n'), '-A -t 192.0.2.1:80 -s wlc\n');
});

for (const backend of ['netlink', 'ipvsadm'] as const) {
  test.serial(`${backend}: sync daemons as ipvsadm -L --daemon shows them; start/stop errors`, async (t) => {
    const n = await makeNetns(t);
    const backup = { state: 'backup', mcastIfn: 'd0', syncId: 9, maxLen: 1400, mcastGroup: '224.0.0.99', mcastPort: 8849, mcastTtl: 2 } as const;
    const r = await run(n, backend, [
      { method: 'startDaemon', daemon: { state: 'master', mcastIfn: 'd0', syncId: 7 } },
      { method: 'startDaemon', daemon: backup },
      { method: 'getDaemons' },
      { method: 'startDaemon', daemon: { state: 'master', mcastIfn: 'd0', syncId: 8 } },
    ]);
    t.true(r[0]?.ok && r[1]?.ok);
    const listed = await ipvsadm(n, '-L', '--daemon');
    t.is(listed, 'master sync daemon (mcast=d0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n'
      + 'backup sync daemon (mcast=d0, syncid=9, maxlen=1400, group=224.0.0.99, port=8849, ttl=2)\n');
    t.deepEqual(r[2]?.ok ? r[2].value : r[2], parseDaemons(listed));
    t.like(r[3], { ok: false, error: { code: 'EEXIST', message: 'start sync daemon master on d0 (syncid 8): sync daemon already running (EEXIST)' } });
    const s = await run(n, backend, [
      { method: 'stopDaemon', state: 'master' },
      { method: 'getDaemons' },
      { method: 'stopDaemon', state: 'master' },
      { method: 'stopDaemon', state: 'backup' },
      { method: 'startDaemon', daemon: { state: 'master', mcastIfn: 'nosuchif0', syncId: 8 } },
    ]);
    t.true(s[0]?.ok);
    t.like(s[1], { ok: true, value: [{ state: 'backup', syncId: 9 }] });
    t.like(s[2], { ok: false, error: { code: 'ESRCH', message: 'stop sync daemon master: no sync daemon is running (ESRCH)' } });
    t.true(s[3]?.ok);
    t.like(s[4], { ok: false, error: { code: 'ENODEV', errno: 19 } });
    t.is(await ipvsadm(n, '-L', '--daemon'), '');
  });

  test.serial(`${backend}: timeouts and info agree with ipvsadm`, async (t) => {
    const n = await makeNetns(t);
    const r = await run(n, backend, [
      { method: 'getTimeouts' },
      { method: 'setTimeouts', timeouts: { tcp: 1000, tcpFin: 0, udp: 200 } },
      { method: 'getTimeouts' },
      { method: 'info' },
      { method: 'zero' },
    ]);
    t.like(r[0], { ok: true, value: { tcp: 900, tcpFin: 120, udp: 300 } });
    t.like(r[2], { ok: true, value: { tcp: 1000, tcpFin: 120, udp: 200 } });
    t.is(await ipvsadm(n, '-L', '--timeout'), 'Timeout (tcp tcpfin udp): 1000 120 200\n');
    const first = (await ipvsadm(n, '-L', '-n')).split('\n')[0];
    const info = r[3]?.ok ? (r[3].value as { version: number; connTabSize: number }) : undefined;
    t.truthy(info);
    if (info) {
      const v = info.version;
      t.is(first, `IP Virtual Server version ${v >> 16}.${(v >> 8) & 0xff}.${v & 0xff} (size=${info.connTabSize})`);
    }
    t.true(r[4]?.ok);
  });
}
