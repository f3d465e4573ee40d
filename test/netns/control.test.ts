/**
 * The control socket is root only (root tier): a client running as `nobody` is refused by the
 * 0700 directory and, should that directory be opened up, by the socket's own 0600 mode.
 * The client is test/fixtures/control-client.js, started with uid/gid 65534.
 */
import test from 'ava';
import { execa } from 'execa';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlServer } from '../../src/control/socket.js';

const CLIENT = fileURLToPath(new URL('../fixtures/control-client.js', import.meta.url));
const NOBODY = 65534;

async function serve(t: { teardown: (f: () => void | Promise<void>) => void }): Promise<{ dir: string; path: string }> {
  const base = mkdtempSync(join(tmpdir(), 'lvsd-ctl-root-'));
  chmodSync(base, 0o755); // so that only lvsd's own modes stand between nobody and the socket
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'run');
  const path = join(dir, 'lvsd.sock');
  const server = new ControlServer({ path, handlers: { ping: async () => ({ pid: process.pid }) } });
  await server.listen();
  t.teardown(() => server.close());
  return { dir, path };
}

async function clientAs(uid: number | undefined, path: string): Promise<{ ok: boolean; code?: string; message?: string; result?: unknown }> {
  const ids = uid === undefined ? {} : { uid, gid: uid };
  const r = await execa(process.execPath, [CLIENT, path, 'ping'], ids);
  return JSON.parse(r.stdout) as { ok: boolean; code?: string };
}

test('root reaches the socket; nobody is refused by the 0700 directory', async (t) => {
  if (process.getuid?.() !== 0) {
    t.fail('the netns tier runs as root');
    return;
  }
  const { path } = await serve(t);
  t.deepEqual(await clientAs(undefined, path), { ok: true, result: { pid: process.pid } });
  const r = await clientAs(NOBODY, path);
  t.like(r, { ok: false, code: 'EACCES' });
  t.regex(r.message ?? '', /permission denied on .*lvsd\.sock \(the control socket is root only\)/);
});

test('with the directory opened up, the socket mode 0600 still refuses nobody', async (t) => {
  if (process.getuid?.() !== 0) {
    t.fail('the netns tier runs as root');
    return;
  }
  const { dir, path } = await serve(t);
  chmodSync(dir, 0o755);
  t.like(await clientAs(NOBODY, path), { ok: false, code: 'EACCES' });
  t.like(await clientAs(undefined, path), { ok: true });
});
