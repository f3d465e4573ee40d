import test from 'ava';
import { cleanStopServices } from '../../model/index.js';
import { fallbackArgs, pollIntervalMs } from './runtime.js';
import { ldConfig, ldirectordDirector } from '../../../test/fixtures/ldirectord-runtime.js';

const SVC = 'TCP 192.0.2.10:80';
const SVC2 = 'TCP 192.0.2.11:80';

const CF = (globals: string, block = '', block2 = '') => `checkinterval=1
checktimeout=1
${globals}
virtual=192.0.2.10:80
\treal=10.0.0.1:80 gate
\treal=10.0.0.2:80 gate
\tchecktype=connect
${block}
virtual=192.0.2.11:80
\treal=10.0.0.1:80 gate
\tchecktype=connect
${block2}
`;

test('quiescent: the global value is the default of every virtual, even written after the blocks; a block overrides it (weight 0 vs removal)', async (t) => {
  const d = ldirectordDirector();
  const text = `${CF('', '', '\tquiescent=no')}quiescent=yes\n`;
  await d.run(ldConfig(text));
  await d.tick();
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 1`, `${SVC} 10.0.0.2:80 1`, `${SVC2} 10.0.0.1:80 1`]);
  d.checker.verdict.set('10.0.0.1', 'fail');
  await d.tick();
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 0`, `${SVC} 10.0.0.2:80 1`], 'quiescent=yes (global): weight 0; quiescent=no (block): removed');
});

test('quiescent defaults to no (ldirectord 4.12 code, not its manual)', async (t) => {
  const d = ldirectordDirector();
  await d.run(ldConfig(CF('')));
  await d.tick();
  d.checker.verdict.set('10.0.0.2', 'fail');
  await d.tick();
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 1`, `${SVC2} 10.0.0.1:80 1`]);
});

test('fallback and fallbackcommand: no command before the first verdicts; stop once servers are up; start when the last goes down, stop when one returns', async (t) => {
  const d = ldirectordDirector();
  await d.run(ldConfig(CF('fallback=127.0.0.1:80 gate\nfallbackcommand=/usr/local/sbin/fb --quiet')));
  t.deepEqual(d.jobs, [], 'the first pass, before any verdict, runs nothing');
  await d.tick();
  t.deepEqual(d.jobs.map((j) => j.argv), [
    ['/usr/local/sbin/fb', '--quiet', 'stop', '192.0.2.10:80', 'tcp'],
    ['/usr/local/sbin/fb', '--quiet', 'stop', '192.0.2.11:80', 'tcp'],
  ], 'one command per service, with its end state (ldirectord runs start, then stop)');
  d.checker.verdict.set('10.0.0.1', 'fail');
  await d.tick();
  t.is(d.jobs.length, 3);
  t.deepEqual(d.jobs[2]?.argv, ['/usr/local/sbin/fb', '--quiet', 'start', '192.0.2.11:80', 'tcp']);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.2:80 1`, `${SVC2} 127.0.0.1:80 1`]);
  await d.tick();
  t.is(d.jobs.length, 3, 'no command while nothing changes');
  d.checker.verdict.set('10.0.0.1', 'pass');
  await d.tick();
  t.deepEqual(d.jobs[3]?.argv, ['/usr/local/sbin/fb', '--quiet', 'stop', '192.0.2.11:80', 'tcp']);
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 1`, `${SVC} 10.0.0.2:80 1`, `${SVC2} 10.0.0.1:80 1`]);
});

test('a reload keeps the fallback state of unchanged services: no command runs again (ldirectord reruns them all)', async (t) => {
  const d = ldirectordDirector();
  const c = ldConfig(CF('fallbackcommand=/bin/fb'));
  await d.run(c);
  await d.tick();
  t.is(d.jobs.length, 2);
  await d.run(ldConfig(`${CF('fallbackcommand=/bin/fb')}\n# edited\n`));
  await d.tick();
  t.is(d.jobs.length, 2);
});

test('fallbackcommand arguments: IPv6 in brackets; a firewall mark as MARK:0 fwm (ldirectord passes ":0")', (t) => {
  const c = ldConfig('virtual6=[2001:db8::10]:80\n\treal6=[2001:db8::2]:80 gate\n\tchecktype=on\nvirtual=7\n\treal=10.0.0.1 gate\n\tchecktype=on\n');
  const [v6, mark] = c.services;
  if (v6 === undefined || mark === undefined) return t.fail();
  t.deepEqual(fallbackArgs(v6, 'start'), ['start', '[2001:db8::10]:80', 'tcp']);
  t.deepEqual(fallbackArgs(mark, 'stop'), ['stop', '7:0', 'fwm']);
});

test('maintenancedir: a file named IP or IP:PORT takes the real server out at the next poll, the fallback comes in when it was the last; once the file is gone its next check brings it back', async (t) => {
  const d = ldirectordDirector();
  d.files.maintenance.add('10.0.0.1:80');
  await d.run(ldConfig(CF('maintenancedir=/etc/ha.d/maint\nfallback=127.0.0.1:80')));
  await d.tick();
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.2:80 1`, `${SVC2} 127.0.0.1:80 1`], 'in maintenance from the start');
  d.files.maintenance.clear();
  d.files.maintenance.add('10.0.0.2');
  await d.tick();
  t.deepEqual(await d.kernel.lines(), [`${SVC} 127.0.0.1:80 1`, `${SVC2} 127.0.0.1:80 1`], 'the file is gone; no check of 10.0.0.1 since');
  await d.tick();
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 1`, `${SVC2} 10.0.0.1:80 1`], 'its next check passed');
  t.like(d.events('real.maintenance'), [
    { svc: SVC, rs: '10.0.0.1:80', maintenance: true }, { svc: SVC2, rs: '10.0.0.1:80', maintenance: true },
    { svc: SVC, rs: '10.0.0.2:80', maintenance: true }, { svc: SVC, rs: '10.0.0.1:80', maintenance: false }, { svc: SVC2, rs: '10.0.0.1:80', maintenance: false },
  ]);
});

test('maintenancedir: host names from /etc/hosts, full and short, with or without the port', async (t) => {
  const d = ldirectordDirector();
  d.files.hosts = '10.0.0.2 web2.example.com web2-alias\n';
  d.files.maintenance.add('web2:80');
  await d.run(ldConfig(CF('maintenancedir=/m')));
  await d.tick();
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 1`, `${SVC2} 10.0.0.1:80 1`]);
});

test('autoreload: a changed file reloads once, a touched but equal file does nothing; the callback runs with the path after the reload', async (t) => {
  const d = ldirectordDirector();
  await d.run(ldConfig(`${CF('')}autoreload=yes\ncallback="/usr/local/bin/sync-config"\n`));
  await d.tick();
  d.files.mtimeMs = 2;
  await d.tick();
  t.is(d.reloads(), 0, 'same content');
  d.files.mtimeMs = 3;
  d.files.digest = 'b';
  await d.tick();
  t.is(d.reloads(), 1);
  t.deepEqual(d.jobs.map((j) => j.argv), [['/usr/local/bin/sync-config', '/etc/ha.d/ldirectord.cf']]);
  await d.tick();
  t.is(d.reloads(), 1);
  t.like(d.events('config.changed'), [{ file: '/etc/ha.d/ldirectord.cf', autoreload: true }]);
});

test('without autoreload a change only runs the callback (ldirectord: "ignore new configuration")', async (t) => {
  const d = ldirectordDirector();
  await d.run(ldConfig(`${CF('')}callback="/bin/cb"\n`));
  d.files.mtimeMs = 5;
  d.files.digest = 'z';
  await d.tick();
  t.is(d.reloads(), 0);
  t.deepEqual(d.jobs.map((j) => j.argv), [['/bin/cb', '/etc/ha.d/ldirectord.cf']]);
});

test('cleanstop per virtual: the block value, else the global one', (t) => {
  const ids = (text: string) => cleanStopServices(ldConfig(text)).map((s) => (s.key.kind === 'addr' ? s.key.address : ''));
  t.deepEqual(ids(CF('cleanstop=no', '\tcleanstop=yes')), ['192.0.2.10']);
  t.deepEqual(ids(CF('', '', '\tcleanstop=no')), ['192.0.2.10'], 'default yes');
  t.deepEqual(ids(CF('')), ['192.0.2.10', '192.0.2.11']);
});

test('the poll follows the shortest check interval (ldirectord: checkinterval), 10 s without checks', (t) => {
  t.is(pollIntervalMs(ldConfig(CF('').replace('checkinterval=1', 'checkinterval=3'))), 3000);
  t.is(pollIntervalMs(ldConfig('virtual=192.0.2.1:80\n\treal=10.0.0.1:80 gate\n\tchecktype=on\n')), 10_000);
});

test('a restart over a programmed table takes no server out to put it back: a service joins once each real server has a first verdict', async (t) => {
  const d = ldirectordDirector();
  const c = ldConfig(CF('fallback=127.0.0.1:80'));
  const { desiredTable } = await import('../../ipvs/index.js');
  for (const s of desiredTable(c.services)) {
    await d.kernel.backend.apply({ op: 'add-service', service: s.service });
    for (const dest of s.dests) await d.kernel.backend.apply({ op: 'add-dest', service: s.service, dest });
  }
  const mark = d.kernel.opCount;
  d.checker.verdict.set('10.0.0.2', 'fail');
  await d.run(c);
  t.deepEqual(d.kernel.opsText(mark), [], 'nothing touched before the first verdicts');
  await d.tick();
  t.deepEqual(d.kernel.opsText(mark), ['del-dest 10.0.0.2:80'], 'only the failed server leaves; no fallback flap');
  t.deepEqual(await d.kernel.lines(), [`${SVC} 10.0.0.1:80 1`, `${SVC2} 10.0.0.1:80 1`]);
});

test('a service whose real servers all fail their first check is programmed with its fallback (a failed first verdict changes no state)', async (t) => {
  const d = ldirectordDirector();
  d.checker.verdict.set('10.0.0.1', 'fail');
  d.checker.verdict.set('10.0.0.2', 'fail');
  await d.run(ldConfig(CF('fallback=127.0.0.1:80')));
  t.deepEqual(await d.kernel.lines(), []);
  await d.tick();
  t.deepEqual(await d.kernel.lines(), [`${SVC} 127.0.0.1:80 1`, `${SVC2} 127.0.0.1:80 1`]);
});

test('a firewall-mark service: its fallback (port 0) joins when the last server fails; fallbackcommand gets MARK:0 fwm', async (t) => {
  const d = ldirectordDirector();
  await d.run(ldConfig('checkinterval=1\nvirtual=7\n\treal=10.0.0.1 gate\n\treal=10.0.0.2 gate\n\tchecktype=connect\n\tcheckport=80\n\tfallback=127.0.0.1 gate\n\tfallbackcommand=/bin/fb\n'));
  await d.tick();
  t.deepEqual(await d.kernel.lines(), ['FWM 7 10.0.0.1:0 1', 'FWM 7 10.0.0.2:0 1']);
  d.checker.verdict.set('10.0.0.1', 'fail');
  d.checker.verdict.set('10.0.0.2', 'fail');
  await d.tick();
  t.deepEqual(await d.kernel.lines(), ['FWM 7 127.0.0.1:0 1']);
  t.deepEqual(d.jobs.map((j) => j.argv), [['/bin/fb', 'stop', '7:0', 'fwm'], ['/bin/fb', 'start', '7:0', 'fwm']]);
});

test('monitorfile: every check result of its service, one line each, as ldirectord writes them; a server in maintenance logs that instead', async (t) => {
  const d = ldirectordDirector();
  d.files.maintenance.add('10.0.0.2');
  await d.run(ldConfig(CF('maintenancedir=/m', '\tmonitorfile="/var/log/ld-80.mon"')));
  await d.tick();
  d.checker.verdict.set('10.0.0.1', 'fail');
  await d.tick();
  const lines = (d.files.appended.get('/var/log/ld-80.mon') ?? '').split('\n').filter((l) => l !== '');
  t.deepEqual([...d.files.appended.keys()], ['/var/log/ld-80.mon'], 'only the service that names a file (the other shares 10.0.0.1)');
  const shape = /^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] \[4242\] connect tcp (10\.0\.0\.\d) 80 1 gate \/  \[(up|down)\] (.*)$/;
  const seen = lines.map((l) => shape.exec(l)?.slice(1, 4).join(' ') ?? `unexpected: ${l}`);
  t.true(seen.length >= 4, seen.join('\n'));
  t.true(seen.every((l) => !l.startsWith('unexpected')), seen.join('\n'));
  t.true(seen.includes('10.0.0.1 up connected'));
  t.true(seen.includes('10.0.0.1 down connection refused'));
  t.true(seen.filter((l) => l.startsWith('10.0.0.2')).every((l) => l === '10.0.0.2 down Server in maintenance'));
  t.is(d.lines.filter((l) => l.directive === 'monitorfile').length, 0, 'no "not carried out" warning any more');
});

test('execute=: started with the director; on reload the ones kept are reloaded (started if that fails), new ones started, dropped ones stopped; all stopped at the end', async (t) => {
  const calls: string[] = [];
  let reloadCode = 0;
  const d = ldirectordDirector({ children: async (cmd, name) => { calls.push(`${cmd} ${name}`); return cmd === 'reload' ? reloadCode : 0; } });
  await d.run(ldConfig(CF('execute=a.cf\nexecute="b.cf"')));
  await d.runtime.childrenIdle();
  t.deepEqual(calls, ['start a.cf', 'start b.cf']);
  calls.length = 0;
  reloadCode = 1;
  await d.run(ldConfig(CF('execute=b.cf\nexecute=c.cf')));
  await d.runtime.childrenIdle();
  t.deepEqual(calls, ['stop a.cf', 'reload b.cf', 'start b.cf', 'start c.cf'], 'ldirectord reread_config: stop, reload_or_start, start');
  calls.length = 0;
  await d.runtime.stopChildren();
  t.deepEqual(calls, ['stop b.cf', 'stop c.cf']);
  t.like(d.lines.filter((l) => l.event === 'ldirectord.execute' && l.code !== 0), [{ cmd: 'reload', config: 'b.cf', code: 1 }]);
});
