import test from 'ava';
import { alertMessage, dueResends, noteAlert, tableAlerts, tableView, type Resends } from './alerts.js';
import { ldConfig, ldirectordDirector } from '../../../test/fixtures/ldirectord-runtime.js';
import type { VirtualService } from '../../model/index.js';

const base = ldConfig('virtual=192.0.2.10:80\n\treal=10.0.0.1:80 gate 3\n\treal=10.0.0.2:80 gate\n\tchecktype=on\n\tfallback=127.0.0.1:80\nvirtual=9\n\treal=10.0.0.3 gate\n\tchecktype=on\n');
const [web, mark] = base.services as [VirtualService, VirtualService];

function withReals(vs: VirtualService, reals: Array<[string, number]>, fallbackOn = false): VirtualService {
  const rs = reals.map(([a, w]) => ({ ...(vs.reals.find((r) => r.address === a) ?? vs.reals[0]!), address: a, weight: w }));
  return { ...vs, reals: fallbackOn && vs.sorry ? [...rs, vs.sorry.server] : rs };
}

test('table changes become ldirectord\'s sentences: Added, Restored, Quiescent, Deleted; fallback servers named so; fwmark services by their mark', (t) => {
  const before = tableView([withReals(web, [['10.0.0.1', 3], ['10.0.0.2', 1]]), withReals(mark, [['10.0.0.3', 1]])]);
  const after = tableView([withReals(web, [['10.0.0.1', 0]], true), withReals(mark, [])]);
  t.deepEqual(tableAlerts(before, after).map((a) => [a.subject, a.resend]), [
    ['Quiescent real server: 10.0.0.1:80 (192.0.2.10:80) (Weight set to 0)', 'remember'],
    ['Deleted real server: 10.0.0.2:80 (192.0.2.10:80)', 'remember'],
    ['Added fallback server: 127.0.0.1:80 (192.0.2.10:80) (Weight set to 1)', 'forget'],
    ['Deleted real server: 10.0.0.3:0 (9)', 'remember'],
  ]);
  t.deepEqual(tableAlerts(after, before).map((a) => a.subject), [
    'Restored real server: 10.0.0.1:80 (192.0.2.10:80) (Weight set to 3)',
    'Deleted fallback server: 127.0.0.1:80 (192.0.2.10:80)',
    'Added real server: 10.0.0.2:80 (192.0.2.10:80) (Weight set to 1)',
    'Added real server: 10.0.0.3:0 (9) (Weight set to 1)',
  ]);
  t.deepEqual(tableAlerts(new Map(), after), [], 'a service new to the table (start, reload) is not mailed about');
});

test('resends: a down server is mailed again every emailalertfreq seconds until it is back; 0 never resends', (t) => {
  const r: Resends = new Map();
  const down = { service: 'S', id: '10.0.0.1:80 (192.0.2.10:80)', subject: 'Deleted ...', resend: 'remember' } as const;
  noteAlert(r, down, { freqS: 60, nowMs: 0 });
  t.deepEqual(dueResends(r, { freqS: () => 60, nowMs: 59_999 }), []);
  t.deepEqual(dueResends(r, { freqS: () => 60, nowMs: 60_000 }).map((a) => a.subject), ['Inaccessible real server: 10.0.0.1:80 (192.0.2.10:80)']);
  t.deepEqual(dueResends(r, { freqS: () => 60, nowMs: 100_000 }), [], 'the clock restarts at each resend');
  noteAlert(r, { ...down, resend: 'forget' }, { freqS: 60, nowMs: 110_000 });
  t.is(r.size, 0);
  noteAlert(r, down, { freqS: 0, nowMs: 0 });
  t.is(r.size, 0);
});

test('the message: To, From (emailalertfrom, verbatim), Subject with [servicename]; ldirectord\'s body lines', (t) => {
  t.is(alertMessage('Deleted real server: 10.0.0.2:80 (192.0.2.10:80)', {
    to: ['ops@example.com', 'noc@example.com'], from: '"LVS" <lvs@example.com>', serviceName: 'web', comment: 'front farm', host: 'dir1', state: 'running',
  }), [
    'To: ops@example.com, noc@example.com',
    'From: "LVS" <lvs@example.com>',
    'Subject: [web] Deleted real server: 10.0.0.2:80 (192.0.2.10:80)',
    '',
    'ldirectord host: dir1',
    'Log-Message: [web] Deleted real server: 10.0.0.2:80 (192.0.2.10:80)',
    'Daemon-Status: running',
    '',
    'Service name: web',
    'Comment: front farm',
    '',
    '',
  ].join('\n'));
});

const CF = `checkinterval=1
emailalert="ops@example.com"
emailalertfreq=5
virtual=192.0.2.10:80
\treal=10.0.0.1:80 gate
\treal=10.0.0.2:80 gate
\tchecktype=connect
\tservicename=web
`;

test('alerts are mailed as the table changes, resent while the server stays down, with the daemon state', async (t) => {
  const d = ldirectordDirector();
  await d.run(ldConfig(CF));
  await d.tick();
  t.deepEqual(d.mails.map((m) => /Subject: (.*)/.exec(m.message)?.[1]).sort(), [
    '[web] Added real server: 10.0.0.1:80 (192.0.2.10:80) (Weight set to 1)',
    '[web] Added real server: 10.0.0.2:80 (192.0.2.10:80) (Weight set to 1)',
  ]);
  t.regex(d.mails[0]?.message ?? '', /Daemon-Status: starting/, 'the first check pass is still "starting"');
  d.mails.length = 0;
  d.checker.verdict.set('10.0.0.1', 'fail');
  await d.tick();
  await d.tick(5000);
  d.checker.verdict.set('10.0.0.1', 'pass');
  await d.tick();
  await d.tick(10_000);
  t.deepEqual(d.mails.map((m) => /Subject: (.*)/.exec(m.message)?.[1]), [
    '[web] Deleted real server: 10.0.0.1:80 (192.0.2.10:80)',
    '[web] Inaccessible real server: 10.0.0.1:80 (192.0.2.10:80)',
    '[web] Added real server: 10.0.0.1:80 (192.0.2.10:80) (Weight set to 1)',
  ]);
  t.regex(d.mails[0]?.message ?? '', /Daemon-Status: running/);
  t.deepEqual(d.mails[0]?.to, ['ops@example.com']);
  t.like(d.events('alert.mail').at(-1), { level: 30, subject: 'Added real server: 10.0.0.1:80 (192.0.2.10:80) (Weight set to 1)', state: 'running' });
});

test('emailalertstatus filters by daemon state; a mail that cannot be sent is a logged warning with the reason', async (t) => {
  const d = ldirectordDirector({ mail: () => ({ ok: false, reason: 'no sendmail on PATH, in /usr/sbin or /usr/lib' }) });
  await d.run(ldConfig(CF.replace('emailalertfreq=5', 'emailalertstatus=running')));
  await d.tick();
  t.is(d.mails.length, 0, 'nothing in state starting');
  d.checker.verdict.set('10.0.0.2', 'fail');
  await d.tick();
  t.is(d.mails.length, 1);
  t.like(d.events('alert.mail').at(-1), { level: 40, reason: 'no sendmail on PATH, in /usr/sbin or /usr/lib', state: 'running' });
});

test('at start a service with a fallback is mailed as the kernel sees it: its servers added, no fallback that was never in', async (t) => {
  const d = ldirectordDirector();
  await d.run(ldConfig(CF.replace('\tservicename=web\n', '\tfallback=127.0.0.1:80\n')));
  await d.tick();
  t.deepEqual(d.mails.map((m) => /Subject: (.*)/.exec(m.message)?.[1]).sort(), [
    'Added real server: 10.0.0.1:80 (192.0.2.10:80) (Weight set to 1)',
    'Added real server: 10.0.0.2:80 (192.0.2.10:80) (Weight set to 1)',
  ]);
});

test('smtp=: the alert goes to that server (global, or the block\'s), and the log line names it', async (t) => {
  const d = ldirectordDirector();
  await d.run(ldConfig(`smtp=mail.example.com\n${CF.replace('\tservicename=web\n', '\tsmtp=10.0.0.25\n')}`));
  await d.tick();
  t.deepEqual(d.mails.map((m) => m.smtp), ['10.0.0.25', '10.0.0.25']);
  t.like(d.events('alert.mail').at(-1), { smtp: '10.0.0.25' });
  const g = ldirectordDirector();
  await g.run(ldConfig(`smtp=mail.example.com\n${CF}`));
  await g.tick();
  t.deepEqual(g.mails.map((m) => m.smtp), ['mail.example.com', 'mail.example.com']);
  t.is(g.events('alert.smtp').length, 0, 'no "smtp= is not used" warning any more');
});
