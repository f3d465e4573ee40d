import test from 'ava';
import { parseLdirectord } from './parse.js';
import { detectFormat, loadConfigDetailed, nameServiceFromFiles } from '../index.js';

const names = nameServiceFromFiles({ hosts: '', services: 'http 80/tcp www\n' });

test('ldirectord.cf is detected from its first directive, virtual6= and a bare supervised included', (t) => {
  t.is(detectFormat('# ldirectord\nchecktimeout=3\n'), 'ldirectord');
  t.is(detectFormat('virtual6=[2001:db8::1]:80\n\treal6=[2001:db8::2]:80 gate\n'), 'ldirectord');
  t.is(detectFormat('supervised\n'), 'ldirectord');
  t.is(detectFormat('virtual = 192.0.2.1:80\n'), 'ldirectord');
  t.is(detectFormat('global_defs {\n}'), 'keepalived');
});

test('the loader reads ldirectord.cf through the given name service and host name', (t) => {
  const r = loadConfigDetailed({ path: 'l.cf', text: 'virtual=192.0.2.1:http\n\treal=10.0.0.1 gate\n\tservice=ftp\n', readFile: () => '', names, hostname: 'dir1' });
  t.true(r.result.ok);
  if (!r.result.ok) return;
  t.is(r.result.value.format, 'ldirectord');
  const probe = r.result.value.services[0]?.reals[0]?.health?.checks[0]?.probe;
  t.like(probe, { kind: 'negotiate', service: 'ftp', login: 'anonymous', passwd: 'ldirectord@dir1' });
});

test('an unresolvable name is a located error; without a name service the loader refuses to guess', (t) => {
  const r = loadConfigDetailed({ path: 'l.cf', text: 'virtual=192.0.2.1:https\n\treal=10.0.0.1 gate\n', readFile: () => '', names, hostname: 'dir1' });
  t.false(r.result.ok);
  if (!r.result.ok) t.regex(r.result.error[0]?.message ?? '', /service name known for tcp/);
  t.throws(() => loadConfigDetailed({ path: 'l.cf', text: 'checktimeout=3\n', readFile: () => '' }));
});

test('execute= in the file: one word as sh leaves it; more words warn and start nothing (ldirectord\'s child would fail to start)', (t) => {
  const r = parseLdirectord({ path: 'l.cf', text: 'execute="my www.cf"\nexecute=a.cf b.cf\nvirtual=192.0.2.1:80\n\treal=10.0.0.1:80 gate\n', hostname: 'dir1', names });
  t.deepEqual(r.config?.ldirectord?.execute, ['my www.cf']);
  t.true(r.warnings.some((w) => w.at.line === 2 && /2 words/.test(w.message)), JSON.stringify(r.warnings));
});
