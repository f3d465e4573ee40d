import test from 'ava';
import { formatDiagnostic, type HealthCheck } from '../../model/index.js';
import { loadConfigDetailed } from '../load.js';

function load(checker: string) {
  const text = `virtual_server 192.0.2.1 80 {\n lb_algo rr\n lb_kind DR\n protocol TCP\n real_server 192.0.2.10 80 {\n${checker} }\n}\n`;
  const r = loadConfigDetailed({ path: 'k.conf', text, readFile: () => '', listDir: () => [] });
  return {
    checks: r.result.ok ? r.result.value.services.flatMap((s) => s.reals.flatMap((rs) => rs.health?.checks ?? [])) : ([] as HealthCheck[]),
    errors: r.result.ok ? [] : r.result.error.map(formatDiagnostic),
    warnings: r.warnings.map(formatDiagnostic),
  };
}

test('fwmark on TCP_CHECK and HTTP_GET becomes the target\'s mark, beside bindto and bind_port', (t) => {
  const r = load('  TCP_CHECK {\n   fwmark 7\n   bindto 192.0.2.2\n   bind_port 4000\n  }\n  HTTP_GET {\n   fwmark 4294967295\n   url {\n    path /\n   }\n  }\n');
  t.deepEqual(r.errors, []);
  t.deepEqual(r.checks.map((c) => c.target), [{ fwmark: 7, bindTo: '192.0.2.2', bindPort: 4000 }, { fwmark: 4294967295 }]);
});

test('fwmark 0 is no mark (keepalived sets SO_MARK only when non-zero); out of range is an error at the value', (t) => {
  t.deepEqual(load('  TCP_CHECK {\n   fwmark 0\n  }\n').checks.map((c) => c.target), [{}]);
  const r = load('  TCP_CHECK {\n   fwmark 4294967296\n  }\n');
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /^k\.conf:7:11: .*fwmark between 0 \(none\) and 4294967295/);
});

test('fwmark on the checkers that use Node sockets is refused with the reason', (t) => {
  for (const c of ['SSL_GET {\n   url {\n    path /\n   }\n', 'SMTP_CHECK {\n', 'DNS_CHECK {\n', 'UDP_CHECK {\n']) {
    const r = load(`  ${c}   fwmark 3\n  }\n`);
    const name = c.split(' ')[0] ?? '';
    t.is(r.errors.length, 1, name);
    t.regex(r.errors[0] ?? '', /keepalived's fwmark is not supported by lvsd: lvsd runs SSL_GET, SMTP_CHECK, DNS_CHECK and UDP_CHECK over Node sockets, which cannot be marked/, name);
  }
});

test('fwmark on PING_CHECK: accepted with a warning, unmarked as keepalived 2.2.7 sends it', (t) => {
  const r = load('  PING_CHECK {\n   fwmark 3\n  }\n');
  t.deepEqual(r.errors, []);
  t.deepEqual(r.checks.map((c) => c.target), [{}]);
  t.is(r.warnings.length, 1);
  t.regex(r.warnings[0] ?? '', /^k\.conf:7:4: .*never marks the echo requests/);
});

test('bind_if: the device of TCP_CHECK and HTTP_GET; on the checkers over Node sockets only the link of an IPv6 link-local target', (t) => {
  const ok = load('  TCP_CHECK {\n   bind_if eth1\n  }\n  HTTP_GET {\n   bind_if eth1\n   url {\n    path /\n   }\n  }\n');
  t.deepEqual(ok.errors, []);
  t.deepEqual(ok.checks.map((c) => c.target), [{ bindIf: 'eth1' }, { bindIf: 'eth1' }]);
  for (const c of ['SSL_GET {\n   url {\n    path /\n   }\n', 'SMTP_CHECK {\n', 'DNS_CHECK {\n', 'UDP_CHECK {\n']) {
    const name = c.split(' ')[0] ?? '';
    const r = load(`  ${c}   bind_if eth1\n  }\n`);
    t.is(r.errors.length, 1, name);
    t.regex(r.errors[0] ?? '', new RegExp(`^k\\.conf:\\d+:12: keepalived's bind_if on ${name} is not supported by lvsd for 192\\.0\\.2\\.10: .*SO_BINDTODEVICE`), name);
    const linkLocal = load(`  ${c}   connect_ip fe80::10\n   bind_if eth1\n  }\n`);
    t.deepEqual(linkLocal.errors, [], name);
    t.deepEqual(linkLocal.checks.map((x) => x.target.bindIf), ['eth1'], name);
  }
});
