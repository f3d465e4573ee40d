import test from 'ava';
import { childOptions } from './execute.js';
import type { LvsdOptions } from './options.js';

const PARENT: LvsdOptions = {
  config: '/srv/lb/ldirectord.cf', socket: '/run/lvsd/lvsd.sock', pidFile: '/run/lvsd/lvsd.pid', logLevel: 'info', logFile: '/var/log/lvsd.log', vrrpRtPriority: 10,
};

test('execute=NAME: looked up as ldirectord does (/etc/ha.d, /etc/ha.d/conf), else beside the naming file; pid file and socket of its own', (t) => {
  const none = (): boolean => false;
  t.like(childOptions(PARENT, 'www.cf', none), { config: '/srv/lb/www.cf', pidFile: '/run/lvsd/lvsd.www.cf.pid', socket: '/run/lvsd/lvsd.www.cf.sock', foreground: false });
  t.is(childOptions(PARENT, 'www.cf', (p) => p === '/etc/ha.d/conf/www.cf').config, '/etc/ha.d/conf/www.cf');
  t.is(childOptions(PARENT, 'www.cf', (p) => p.startsWith('/etc/ha.d/')).config, '/etc/ha.d/www.cf');
  t.is(childOptions(PARENT, '/opt/x.cf', () => true).config, '/opt/x.cf');
  const fromHaDir = childOptions({ ...PARENT, config: '/etc/lb', haDir: '/etc/lb' }, 'www.cf', none);
  t.is(fromHaDir.config, '/etc/lb/www.cf', 'with --ha-dir: beside the heartbeat directory\'s files');
  t.false('haDir' in fromHaDir, 'the other lvsd reads its own file');
});
