/**
 * ldirectord's runtime directives in a real lvsd (namespace, host kernel; the IPVS table is the
 * in-memory one of --debug-ipvs-memory, this kernel has no ip_vs): fallbackcommand runs without
 * a shell when the last real server goes (maintenance file, or a dead server) and when one
 * returns; emailalert mails through a fake sendmail found on PATH; autoreload picks up an edited
 * file and runs the callback with its path.
 */
import test from 'ava';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLan, startIn } from './topology.js';
import { LVSD, REPO, tempDir } from './lvsd-harness.js';
import { waitUntil } from '../fixtures/wait.js';

const ECHO = join(REPO, 'dist/test/fixtures/echo-server.js');

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

const text = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');

test('fallbackcommand, maintenancedir, emailalert through sendmail, autoreload with callback', async (t) => {
  const lan = makeLan(t, ['d']);
  const ns = lan.ns.d!;
  const dir = tempDir(t);
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'maint'));
  script(join(dir, 'fb.sh'), `echo "$@" >> ${dir}/fb.log`);
  script(join(dir, 'cb.sh'), `echo "$@" >> ${dir}/cb.log`);
  script(join(dir, 'bin/sendmail'), `{ echo "ARGS $*"; cat; echo "."; } >> ${dir}/mail.log`);
  const conf = join(dir, 'ldirectord.cf');
  const cf = `checkinterval=1
checktimeout=1
maintenancedir=${dir}/maint
autoreload=yes
callback="${dir}/cb.sh"
emailalert="ops@example.com"
emailalertfrom=lvs@example.com
virtual=192.0.2.10:80
\treal=127.0.0.1:8081 masq
\treal=127.0.0.1:8082 masq
\tchecktype=connect
\tfallback=127.0.0.1:80 masq
\tfallbackcommand="${dir}/fb.sh"
\tservicename=web
`;
  writeFileSync(conf, cf);
  const rs1 = startIn(t, ns, process.execPath, [ECHO, '8081', 'rs1']);
  const rs2 = startIn(t, ns, process.execPath, [ECHO, '8082', 'rs2']);
  await waitUntil(() => rs1.lines.length > 0 && rs2.lines.length > 0, 'both echo servers listening');
  const lvsd = startIn(t, ns, 'env', [`PATH=${dir}/bin:${process.env['PATH'] ?? '/usr/bin:/bin'}`, process.execPath, LVSD, '-n', '--debug-ipvs-memory',
    '-f', conf, '--socket', join(dir, 's'), '--pid-file', join(dir, 'p'), '--log-level', 'debug']);
  const fb = (): string[] => text(join(dir, 'fb.log')).split('\n').filter((l) => l !== '');

  await waitUntil(() => fb().length >= 1, 'the first fallbackcommand', 15_000);
  t.deepEqual(fb(), ['stop 192.0.2.10:80 tcp'], 'both servers up after their first checks: stop, once');
  await waitUntil(() => (text(join(dir, 'mail.log')).match(/^Subject: /gm) ?? []).length >= 2, 'two alert mails');
  const mail = text(join(dir, 'mail.log'));
  t.regex(mail, /^ARGS -oi -t$/m);
  t.regex(mail, /^To: ops@example.com$/m);
  t.regex(mail, /^From: lvs@example.com$/m);
  t.regex(mail, /^Subject: \[web\] Added real server: 127\.0\.0\.1:8081 \(192\.0\.2\.10:80\) \(Weight set to 1\)$/m);
  t.regex(mail, /^Daemon-Status: (starting|running)$/m);

  writeFileSync(join(dir, 'maint', '127.0.0.1:8081'), '');
  rs2.kill('SIGKILL');
  await waitUntil(() => fb().length >= 2, 'fallbackcommand start', 15_000);
  t.deepEqual(fb(), ['stop 192.0.2.10:80 tcp', 'start 192.0.2.10:80 tcp']);
  t.true(lvsd.lines.some((l) => l['event'] === 'real.maintenance' && l['rs'] === '127.0.0.1:8081' && l['maintenance'] === true));
  await waitUntil(() => /Subject: \[web\] Added fallback server: 127\.0\.0\.1:80 /.test(text(join(dir, 'mail.log'))), 'the fallback alert');

  rmSync(join(dir, 'maint', '127.0.0.1:8081'));
  await waitUntil(() => fb().length >= 3, 'fallbackcommand stop', 15_000);
  t.is(fb()[2], 'stop 192.0.2.10:80 tcp');

  writeFileSync(conf, cf.replace('checktimeout=1', 'checktimeout=2'));
  await waitUntil(() => text(join(dir, 'cb.log')) === `${conf}\n`, 'the callback with the config path', 15_000);
  await waitUntil(() => lvsd.lines.some((l) => l['event'] === 'config.reload' && l['ok'] === true), 'the automatic reload');
  t.true(lvsd.lines.some((l) => l['event'] === 'config.changed' && l['file'] === conf));
  t.is(fb().length, 3, 'the reload runs no fallbackcommand again');
  lvsd.kill('SIGTERM');
  t.is(await lvsd.exited, 0, lvsd.stderr.join(''));
});

const SINK = join(REPO, 'dist/test/fixtures/smtp-sink.js');

test('monitorfile gets a line per check in ldirectord\'s format; smtp= sends the alerts to that SMTP server', async (t) => {
  const lan = makeLan(t, ['d']);
  const ns = lan.ns.d!;
  const dir = tempDir(t);
  const conf = join(dir, 'ldirectord.cf');
  const mon = join(dir, 'ld.mon');
  writeFileSync(conf, `checkinterval=1
checktimeout=1
emailalert="ops@example.com, noc@example.com"
smtp=127.0.0.1
virtual=192.0.2.10:80
\treal=127.0.0.1:8081 masq
\tchecktype=connect
\tmonitorfile="${mon}"
`);
  const sink = startIn(t, ns, process.execPath, [SINK, '25']);
  const rs = startIn(t, ns, process.execPath, [ECHO, '8081', 'rs1']);
  await waitUntil(() => sink.lines.length > 0 && rs.lines.length > 0, 'the SMTP sink and the echo server listening');
  const lvsd = startIn(t, ns, process.execPath, [LVSD, '-n', '--debug-ipvs-memory', '-f', conf, '--socket', join(dir, 's'), '--pid-file', join(dir, 'p'), '--log-level', 'info']);
  const smtp = (): string[] => sink.lines.map((l) => l.raw ?? (typeof l === 'string' ? l : JSON.stringify(l))).map(String);
  await waitUntil(() => text(mon).split('\n').filter((l) => l !== '').length >= 2, 'two monitorfile lines', 15_000);
  const name = 'connect tcp 127.0.0.1 8081 1 masq / ';
  const pid = lvsd.child.pid;
  t.true(pid !== undefined);
  for (const l of text(mon).split('\n').filter((x) => x !== '')) t.regex(l, /^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] \[\d+\] connect tcp 127\.0\.0\.1 8081 1 masq \/  \[up\] connected$/);
  t.true(text(mon).includes(`] ${name} [up] connected`));
  rs.kill('SIGKILL');
  await waitUntil(() => text(mon).includes(`${name} [down] connection refused`), 'a down line', 15_000);
  await waitUntil(() => smtp().filter((l) => l === '.').length >= 2, `two alerts through the SMTP sink: ${JSON.stringify(lvsd.lines.filter((l) => l['event'] === 'alert.mail'))} ${smtp().join(' / ')}`, 15_000);
  const lines = smtp();
  t.true(lines.includes('RCPT TO:<ops@example.com>') && lines.includes('RCPT TO:<noc@example.com>'), lines.join('\n'));
  t.true(lines.some((l) => /^MAIL FROM:<[^@>]+@[^>]+>$/.test(l)));
  t.true(lines.some((l) => /^From: [^@]+@\S+$/.test(l)));
  t.true(lines.includes('Subject: Deleted real server: 127.0.0.1:8081 (192.0.2.10:80)'), lines.join('\n'));
  lvsd.kill('SIGTERM');
  t.is(await lvsd.exited, 0, lvsd.stderr.join(''));
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('execute=: the named configuration runs as an lvsd of its own (pid file and socket beside the director\'s), stopped and started again by reloads, stopped with the director', async (t) => {
  const lan = makeLan(t, ['d']);
  const ns = lan.ns.d!;
  const dir = tempDir(t);
  writeFileSync(join(dir, 'www.cf'), 'checkinterval=1\nvirtual=192.0.2.20:80\n\treal=127.0.0.1:8090 masq\n\tchecktype=on\n');
  const conf = join(dir, 'ldirectord.cf');
  const cf = (execute: boolean): string => `checkinterval=1\n${execute ? 'execute=www.cf\n' : ''}virtual=192.0.2.10:80\n\treal=127.0.0.1:8091 masq\n\tchecktype=on\n`;
  writeFileSync(conf, cf(true));
  const childPid = (): number => Number.parseInt(text(join(dir, 'lvsd.www.cf.pid')), 10);
  const pids = new Set<number>();
  t.teardown(() => { for (const p of [...pids, childPid()]) if (p > 0 && alive(p)) process.kill(p, 'SIGKILL'); });
  const lvsd = startIn(t, ns, process.execPath, [LVSD, '-n', '--debug-ipvs-memory', '-f', conf, '--socket', join(dir, 's'), '--pid-file', join(dir, 'p'),
    '--log-file', join(dir, 'log'), '--log-level', 'debug']);
  // `start` returns once the new lvsd answers on its control socket (its pid file comes first).
  await waitUntil(() => lvsd.lines.some((l) => l.event === 'ldirectord.execute'), 'the start of www.cf done', 30_000, 50);
  t.like(lvsd.lines.find((l) => l.event === 'ldirectord.execute'), { cmd: 'start', config: 'www.cf', code: 0 });
  const first = childPid();
  pids.add(first);
  t.true(alive(first), 'the lvsd of www.cf running');
  t.true(existsSync(join(dir, 'lvsd.www.cf.sock')), 'its control socket');

  writeFileSync(conf, cf(false));
  lvsd.kill('SIGHUP');
  await waitUntil(() => !alive(first), 'execute= removed: stopped at the reload', 20_000, 50);
  writeFileSync(conf, cf(true));
  lvsd.kill('SIGHUP');
  await waitUntil(() => lvsd.lines.filter((l) => l.event === 'ldirectord.execute' && l.cmd === 'start').length >= 2, 'execute= back: started at the reload', 30_000, 50);
  const second = childPid();
  t.true(second !== first && alive(second), 'a new lvsd of www.cf');
  pids.add(second);

  lvsd.kill('SIGTERM');
  t.is(await lvsd.exited, 0);
  t.false(alive(second), 'stopped with the director');
});
