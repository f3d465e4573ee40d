/**
 * The ipvsadm backend against a fake ipvsadm (an executable script, run directly: no shell
 * is involved on our side), so that argv, error mapping and the auto fallback are tested
 * without an IPVS kernel.
 */
import test from 'ava';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelError } from '../errors.js';
import { openIpvsBackend } from './backend.js';
import { IpvsadmBackend } from './ipvsadm.js';
import type { IpvsService } from './types.js';

const S: IpvsService = { af: 2, protocol: 6, addr: '192.0.2.10', port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff };

/** A fake ipvsadm that logs its argv and answers like ipvsadm 1.31 would. */
function fake(t: { teardown: (fn: () => void) => void }, body: string): { bin: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-fake-ipvsadm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'ipvsadm');
  const log = join(dir, 'argv.log');
  writeFileSync(bin, `#!/bin/sh\necho "$@" >> ${log}\n${body}\n`);
  chmodSync(bin, 0o755);
  return { bin, log };
}

test('apply runs one ipvsadm with the op as argv; a kernel refusal keeps its errno and names the object', async (t) => {
  const f = fake(t, 'case "$1" in -a) echo "Service not defined" >&2; exit 255;; esac; exit 0');
  const b = new IpvsadmBackend({ bin: f.bin });
  await b.apply({ op: 'add-service', service: S });
  const err = await t.throwsAsync(b.apply({ op: 'add-dest', service: S, dest: { af: 2, addr: '10.0.0.2', port: 80, fwd: 3, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 } }), { instanceOf: KernelError });
  t.is(err?.message, 'add real server 10.0.0.2:80 to TCP 192.0.2.10:80: no such virtual service (ESRCH)');
  t.is(err?.errno, 3);
  t.deepEqual(readFileSync(f.log, 'utf8').split('\n'), [
    '-A -t 192.0.2.10:80 -s wlc',
    '-a -t 192.0.2.10:80 -r 10.0.0.2:80 -g -w 1 -x 0 -y 0',
    '',
  ]);
});

test('an option error (exit 2) is EINVAL with ipvsadm\'s text', async (t) => {
  const f = fake(t, 'echo "illegal weight specified" >&2; exit 2');
  const err = await t.throwsAsync(new IpvsadmBackend({ bin: f.bin }).apply({ op: 'add-service', service: S }), { instanceOf: KernelError });
  t.is(err?.code, 'EINVAL');
  t.regex(err?.message ?? '', /ipvsadm: illegal weight specified/);
});

test('auto falls back to ipvsadm when netlink is unusable, and says why', async (t) => {
  const f = fake(t, 'echo "Timeout (tcp tcpfin udp): 900 120 300"');
  const reasons: unknown[] = [];
  const b = await openIpvsBackend({ backend: 'auto', ipvsadmBin: f.bin, onFallback: (e) => reasons.push(e) });
  t.teardown(() => b.close());
  if (b.kind === 'netlink') {
    t.pass('this machine has IPVS over netlink: no fallback needed');
    return;
  }
  t.is(b.kind, 'ipvsadm');
  t.is(reasons.length, 1);
  t.true(reasons[0] instanceof KernelError);
  t.deepEqual(await b.getTimeouts(), { tcp: 900, tcpFin: 120, udp: 300 });
});
