import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../lvsd.js';

const TESTDATA = new URL('../../../../src/config/testdata/', import.meta.url).pathname;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

test('lvsd -t reads ldirectord.cf: warnings allowed, errors exit 1; --strict makes warnings errors', async (t) => {
  const lenient = await run(['-t', '-f', join(TESTDATA, 'ldirectord/fragile-trailing-space.cf')]);
  t.is(lenient.code, 0);
  t.regex(lenient.out, /ldirectord configuration OK: 0 vrrp instance\(s\), 1 virtual service\(s\)/);
  t.regex(lenient.err, /fragile-trailing-space\.cf:2:12: .*\(warning\)/);
  const strict = await run(['-t', '--strict', '-f', join(TESTDATA, 'ldirectord/fragile-trailing-space.cf')]);
  t.is(strict.code, 1);
  t.regex(strict.err, /fragile-trailing-space\.cf:2:12: .*an error with --strict/);
  const bad = await run(['-t', '-f', join(TESTDATA, 'ldirectord/error-case-scheduler.cf')]);
  t.is(bad.code, 1);
  t.regex(bad.err, /error-case-scheduler\.cf:4:12: expected a scheduler name in lower-case letters, got "WRR"/);
});

test('lvsd -t --ha-dir reads a heartbeat directory as this node (uname -n)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-hadir-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ha.cf'), `keepalive 1\ndeadtime 10\nbcast eth0\nauto_failback on\nnode ${hostname()} other-node\n`);
  writeFileSync(join(dir, 'haresources'), `${hostname()} IPaddr2::192.0.2.10/24/eth0\n`);
  writeFileSync(join(dir, 'authkeys'), 'auth 1\n1 sha1 secret\n', { mode: 0o600 });
  const ok = await run(['-t', '--ha-dir', dir]);
  t.is(ok.code, 0, ok.err);
  t.regex(ok.out, /heartbeat configuration OK: 1 vrrp instance\(s\), 0 virtual service\(s\)/);
  writeFileSync(join(dir, 'ha.cf'), 'keepalive 1\ndeadtime 10\nbcast eth0\nnode other-node\nping 10.0.0.1\n');
  const refused = await run(['-t', '--ha-dir', dir]);
  t.is(refused.code, 1);
  t.regex(refused.err, /ha\.cf:5:1: ping node 10\.0\.0\.1 is not supported by lvsd/);
  t.regex(refused.err, /this node .* among the nodes other-node/);
});
