import test from 'ava';
import { constants } from 'node:os';
import { KernelError } from '../errors.js';
import { addonPath, isNativeSystemError, loadNative, toKernelError, type VrrpSocketHandle } from './index.js';

test('the addon loads from <repo>/native/build/Release and exposes every export', (t) => {
  t.regex(addonPath(), /\/native\/build\/Release\/lvsd_native\.node$/);
  const n = loadNative();
  t.is(loadNative(), n, 'loaded once per thread');
  t.is(n.ifNameToIndex('lo'), 1);
  t.deepEqual(n.interfaceMac('lo'), Buffer.alloc(6));
  t.true(n.interfaceAddresses('lo').some((a) => a.family === 4 && a.address === '127.0.0.1' && a.prefixLen === 8));
});

test('failures are Node-shaped system errors: code, positive errno, syscall, detail', (t) => {
  const e = t.throws(() => loadNative().ifNameToIndex('nosuchif0'));
  t.true(isNativeSystemError(e));
  t.like(e, { code: 'ENODEV', errno: constants.errno.ENODEV, syscall: 'if_nametoindex', detail: 'nosuchif0' });
  t.is(e?.message, 'if_nametoindex ENODEV: no such device (nosuchif0)');
  const u = t.throws(() => loadNative().unixDgramSend('/nonexistent/lvsd-test.sock', Buffer.from('x')));
  t.like(u, { code: 'ENOENT', errno: constants.errno.ENOENT, syscall: 'sendto' });
});

test('bad arguments are TypeErrors (caller bugs), not system errors', (t) => {
  const n = loadNative();
  t.throws(() => n.packetSend(1, Buffer.alloc(10)), { instanceOf: TypeError });
  t.throws(() => n.vrrpDrain({} as VrrpSocketHandle), { instanceOf: TypeError });
  t.throws(() => n.vrrpOpen({ family: 5 as 4, ifname: 'lo', protocol: 112, group: '', ttl: 255, tos: -1 }, () => undefined), { instanceOf: TypeError });
});

test('toKernelError keeps errno, code and syscall and says what, where and why', (t) => {
  const e = t.throws(() => loadNative().ifNameToIndex('nosuchif0'));
  const k = toKernelError(e, 'open VRRP socket', 'nosuchif0 (IPv4)');
  t.true(k instanceof KernelError);
  t.like(k, { code: 'ENODEV', errno: constants.errno.ENODEV, syscall: 'if_nametoindex', meaning: 'if_nametoindex: no such device (nosuchif0)' });
  t.is((k as KernelError).message, 'open VRRP socket nosuchif0 (IPv4): if_nametoindex: no such device (nosuchif0) (ENODEV)');
  const bug = new TypeError('x');
  t.is(toKernelError(bug, 'op', 'target'), bug, 'non-system errors pass through');
});

test('a netlink handle is refused by vrrpSend, vrrpDrain and vrrpClose (the addon tags each kind)', (t) => {
  const n = loadNative();
  const nl = n.nlOpen(0, () => undefined);
  t.teardown(() => n.nlClose(nl));
  const asVrrp = nl as unknown as VrrpSocketHandle;
  const refused = { instanceOf: TypeError, message: 'not a vrrp socket handle (from vrrpOpen)' };
  t.throws(() => n.vrrpSend(asVrrp, Buffer.from('21', 'hex'), '127.0.0.1', ''), refused);
  t.throws(() => n.vrrpDrain(asVrrp), refused);
  t.throws(() => n.vrrpClose(asVrrp), refused);
  t.notThrows(() => n.nlClose(nl), 'its own close takes it');
  t.notThrows(() => n.nlClose(nl), 'and is idempotent');
});
