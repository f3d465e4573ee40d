import test from 'ava';
import { logTarget } from './log-target.js';
import { ldConfig } from '../../../test/fixtures/ldirectord-runtime.js';

const DEF = '/var/log/lvsd.log';
const at = (text: string, o: { detached?: boolean; logFile?: string } = {}) =>
  logTarget({ detached: o.detached ?? true, logFile: o.logFile ?? DEF, defaultLogFile: DEF, config: ldConfig(`${text}virtual=192.0.2.1:80\n\treal=10.0.0.1:80 gate\n\tchecktype=on\n`) });

test('ldirectord logfile: a path is the log file, ldirectord\'s default included; a facility goes to syslog', (t) => {
  t.deepEqual(at('logfile="/var/log/ld.log"\n'), { target: { kind: 'file', path: '/var/log/ld.log' } });
  t.deepEqual(at(''), { target: { kind: 'file', path: '/var/log/ldirectord.log' } });
  t.deepEqual(at('logfile="local0"\n'), { target: { kind: 'syslog', facility: 'local0' } });
});

test('--log-file given, or the foreground, wins over logfile; an unknown facility is a warning and the default file', (t) => {
  t.deepEqual(at('logfile="local0"\n', { logFile: '/tmp/x.log' }), { target: { kind: 'file', path: '/tmp/x.log' } });
  t.deepEqual(at('logfile="local0"\n', { detached: false }), { target: { kind: 'stdout' } });
  const r = at('logfile="locl0"\n');
  t.deepEqual(r.target, { kind: 'file', path: DEF });
  t.regex(r.warning ?? '', /logfile="locl0" is neither a path nor a syslog facility/);
});
