import test from 'ava';
import { spawn } from 'node:child_process';
import { formatNotify, sdNotify, watchdogUs } from './sdnotify.js';

test('formatNotify writes KEY=VALUE lines and keeps values on one line', (t) => {
  t.is(formatNotify({ READY: 1, STATUS: 'two\nlines' }), 'READY=1\nSTATUS=two lines\n');
});

test('watchdogUs follows sd_watchdog_enabled(3): WATCHDOG_USEC, and WATCHDOG_PID if set', (t) => {
  t.is(watchdogUs({ WATCHDOG_USEC: '2000000' }, 42), 2_000_000);
  t.is(watchdogUs({ WATCHDOG_USEC: '2000000', WATCHDOG_PID: '42' }, 42), 2_000_000);
  t.is(watchdogUs({ WATCHDOG_USEC: '2000000', WATCHDOG_PID: '41' }, 42), undefined);
  t.is(watchdogUs({ WATCHDOG_USEC: '0' }, 42), undefined);
  t.is(watchdogUs({ WATCHDOG_USEC: 'soon' }, 42), undefined);
  t.is(watchdogUs({}, 42), undefined);
});

test('sdNotify without NOTIFY_SOCKET is ok(false); a relative path is an EINVAL value', (t) => {
  t.deepEqual(sdNotify({ READY: 1 }, {}), { ok: true, value: false });
  const r = sdNotify({ READY: 1 }, { NOTIFY_SOCKET: 'relative.sock' });
  t.like(r, { ok: false, error: { code: 'EINVAL' } });
});

/** A real AF_UNIX datagram receiver (Python, since Node cannot receive unix datagrams). */
function receiver(address: string): Promise<{ got: Promise<string> }> {
  const py = `import socket,sys
s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)
a=sys.argv[1]
s.bind('\\0'+a[1:] if a.startswith('@') else a)
print('ready',flush=True)
s.settimeout(5)
print(s.recv(4096).decode(),end='',flush=True)`;
  const child = spawn('python3', ['-c', py, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve) => {
    const got = new Promise<string>((done) => child.on('exit', () => done(out.replace(/^ready\n/, ''))));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) resolve({ got });
    });
  });
}

test('sdNotify delivers one datagram to an abstract-namespace NOTIFY_SOCKET', async (t) => {
  const address = `@lvsd-sdnotify-test-${process.pid}`;
  const rx = await receiver(address);
  t.deepEqual(sdNotify({ READY: 1, STATUS: 'up' }, { NOTIFY_SOCKET: address }), { ok: true, value: true });
  t.is(await rx.got, 'READY=1\nSTATUS=up\n');
});

test('sdNotify to a missing socket path is an error value with the errno, not a throw', (t) => {
  const r = sdNotify({ READY: 1 }, { NOTIFY_SOCKET: `/nonexistent-${process.pid}/notify` });
  t.like(r, { ok: false, error: { code: 'ENOENT', errno: 2, syscall: 'sendto', op: 'sd_notify' } });
});
