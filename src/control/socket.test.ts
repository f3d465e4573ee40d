import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlError, LvsdError } from '../errors.js';
import { ControlServer, controlRequest } from './socket.js';
import type { VrrpInstanceStatus } from './protocol.js';

function tempDir(t: { teardown: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-control-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const instance: VrrpInstanceStatus = {
  name: 'VI_1', state: 'MASTER', priority: { configured: 100, effective: 100 }, masterAddress: '10.0.0.1',
  advertIntervalCs: 100, masterAdverIntervalCs: 100, family: 4, version: 2, interface: 'eth0', vrid: 51, advertsSent: 3, advertsReceived: 0,
  becameMaster: 1, garpsSent: 5, staleTimerDeferrals: 0,
  drops: { ttl: 1 }, checksumForms: {}, lastTransition: { at: '2026-01-01T00:00:00.000Z', from: 'BACKUP', to: 'MASTER', reason: 'master down' },
};

async function startServer(t: { teardown: (f: () => Promise<void>) => void }, path: string, handlers: ConstructorParameters<typeof ControlServer>[0]['handlers']): Promise<ControlServer> {
  const s = new ControlServer({ path, handlers });
  await s.listen();
  t.teardown(() => s.close());
  return s;
}

/** Raw lines in, raw lines out, to see the wire form. */
async function rawExchange(path: string, text: string, lines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let got = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(text));
    s.on('data', (c: string) => {
      got += c;
      const all = got.split('\n').filter((l) => l !== '');
      if (all.length >= lines) {
        s.destroy();
        resolve(all);
      }
    });
    s.on('error', reject);
  });
}

test('requests reach their handler and results come back typed', async (t) => {
  const path = join(tempDir(t), 'run', 'lvsd.sock');
  await startServer(t, path, { ping: async () => ({ pid: 42 }), vrrp: async () => [instance] });
  t.deepEqual(await controlRequest(path, 'ping', undefined, { timeoutMs: 10_000 }), { pid: 42 });
  t.deepEqual(await controlRequest(path, 'vrrp', undefined), [instance]);
});

test('the socket is 0600 in a directory created 0700, and close() removes it', async (t) => {
  const dir = join(tempDir(t), 'run');
  const path = join(dir, 'lvsd.sock');
  const s = await startServer(t, path, {});
  t.is(statSync(dir).mode & 0o777, 0o700);
  t.is(statSync(path).mode & 0o777, 0o600);
  t.true(statSync(path).isSocket());
  await s.close();
  t.false(existsSync(path));
});

test('a method without a handler answers ENOSYS; a handler error keeps its code', async (t) => {
  const path = join(tempDir(t), 'lvsd.sock');
  await startServer(t, path, {
    reload: async () => {
      throw new LvsdError('ECONFIG', 'lvsd.conf:3: expected a port');
    },
  });
  const nosys = await t.throwsAsync(controlRequest(path, 'ping', undefined), { instanceOf: ControlError });
  t.is(nosys?.code, 'ENOSYS');
  const refused = await t.throwsAsync(controlRequest(path, 'reload', undefined), { instanceOf: ControlError });
  t.is(refused?.code, 'ECONFIG');
  t.regex(refused?.message ?? '', /reload: lvsd\.conf:3: expected a port/);
});

test('methods without a handler answer at once (ENOSYS, never a hang), on one connection, in order', async (t) => {
  const path = join(tempDir(t), 'lvsd.sock');
  await startServer(t, path, { ping: async () => ({ pid: 7 }) });
  const w = '{"service":"192.0.2.10:80","realServer":"10.0.0.2:80"}';
  const lines = await rawExchange(path, `{"id":1,"method":"checks"}\n{"id":2,"method":"drain","params":${w}}\n{"id":3,"method":"enable","params":${w}}\n{"id":4,"method":"ping"}\n`, 4);
  const answers = lines.map((l) => JSON.parse(l) as { id: number; ok: boolean; error?: { code: string; message: string } });
  t.deepEqual(answers.map((a) => [a.id, a.ok, a.error?.code]), [[1, false, 'ENOSYS'], [2, false, 'ENOSYS'], [3, false, 'ENOSYS'], [4, true, undefined]]);
  t.is(answers[0]?.error?.message, 'checks is not available in this lvsd');
  const e = await t.throwsAsync(controlRequest(path, 'checks', undefined, { timeoutMs: 10_000 }), { instanceOf: ControlError });
  t.is(e?.code, 'ENOSYS');
});

test('params reach drain; bad params are refused before the handler', async (t) => {
  const path = join(tempDir(t), 'lvsd.sock');
  const seen: unknown[] = [];
  await startServer(t, path, {
    drain: async (p) => {
      seen.push(p);
      return { service: 'TCP 192.0.2.10:80', realServer: '10.0.0.2:80', weight: 0, configuredWeight: 1, override: 'drain', changed: true };
    },
  });
  const p = { service: '192.0.2.10:80', realServer: '10.0.0.2:80' };
  t.like(await controlRequest(path, 'drain', p), { weight: 0, override: 'drain' });
  const [bad] = await rawExchange(path, '{"id":9,"method":"drain","params":{}}\n', 1);
  t.like(JSON.parse(bad ?? '{}'), { id: 9, ok: false, error: { code: 'EINVAL' } });
  t.deepEqual(seen, [p]);
});

test('an unreadable line is answered with id null and the connection keeps serving, in order', async (t) => {
  const path = join(tempDir(t), 'lvsd.sock');
  await startServer(t, path, { ping: async () => ({ pid: 1 }) });
  const lines = await rawExchange(path, 'garbage\n{"id":1,"method":"ping"}\n{"id":2,"method":"ping"}\n', 3);
  const parsed = lines.map((l) => JSON.parse(l) as { id: unknown; ok: boolean; error?: { code: string } });
  t.like(parsed[0], { id: null, ok: false, error: { code: 'EPARSE' } });
  t.deepEqual(parsed.slice(1).map((r) => r.id), [1, 2]);
});

test('no socket: "lvsd is not running (no socket at PATH)"', async (t) => {
  const path = join(tempDir(t), 'absent.sock');
  const e = await t.throwsAsync(controlRequest(path, 'ping', undefined), { instanceOf: ControlError });
  t.is(e?.code, 'ENOTRUNNING');
  t.is(e?.message, `lvsd is not running (no socket at ${path})`);
});

test('a handler that never answers gives ETIMEDOUT after timeoutMs', async (t) => {
  const path = join(tempDir(t), 'lvsd.sock');
  await startServer(t, path, { status: () => new Promise(() => undefined) });
  const started = performance.now();
  const e = await t.throwsAsync(controlRequest(path, 'status', undefined, { timeoutMs: 200 }), { instanceOf: ControlError });
  t.is(e?.code, 'ETIMEDOUT');
  t.true(performance.now() - started >= 190);
});

test('a stale socket left by a killed process is replaced; a live one is refused', async (t) => {
  const path = join(tempDir(t), 'lvsd.sock');
  const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.stdout.write('up\\n'))`;
  const child = execa(process.execPath, ['-e', script], { reject: false });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  child.kill('SIGKILL');
  await child;
  t.true(statSync(path).isSocket(), 'kill -9 leaves the socket file behind');
  await startServer(t, path, { ping: async () => ({ pid: 7 }) });
  t.deepEqual(await controlRequest(path, 'ping', undefined), { pid: 7 });

  const second = new ControlServer({ path, handlers: {} });
  const e = await t.throwsAsync(second.listen(), { instanceOf: ControlError });
  t.is(e?.code, 'EADDRINUSE');
  t.deepEqual(await controlRequest(path, 'ping', undefined), { pid: 7 }, 'the first server still answers');
});

test('a regular file at the socket path is left alone and start is refused', async (t) => {
  const path = join(tempDir(t), 'lvsd.sock');
  writeFileSync(path, 'keep me');
  const e = await t.throwsAsync(new ControlServer({ path, handlers: {} }).listen(), { instanceOf: ControlError });
  t.is(e?.code, 'EEXIST');
  t.is(readFileSync(path, 'utf8'), 'keep me');
});
