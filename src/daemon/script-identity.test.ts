import test from 'ava';
import { judgeScript, type FileFacts, type ScriptCheckDeps } from './script-identity.js';
import { miscPolicy } from './health-checkers.js';
import { config } from '../../test/fixtures/health-director.js';

type Tree = Record<string, FileFacts | { link: string }>;

const dir = (o: Partial<FileFacts> = {}): FileFacts => ({ uid: 0, gid: 0, mode: 0o755, kind: 'dir', ...o });
const file = (o: Partial<FileFacts> = {}): FileFacts => ({ uid: 0, gid: 0, mode: 0o755, kind: 'file', ...o });

const USERS: Record<string, { uid: number; gid: number }> = { root: { uid: 0, gid: 0 }, www: { uid: 33, gid: 33 }, keepalived_script: { uid: 900, gid: 900 } };
const GROUPS: Record<string, number> = { root: 0, www: 33, adm: 4 };

/** A made-up file system and passwd; `users` limits which users exist. */
function deps(tree: Tree, users: readonly string[] = ['root', 'www']): ScriptCheckDeps {
  const resolve = (p: string): string => {
    const e = tree[p];
    return e !== undefined && 'link' in e ? resolve(e.link) : p;
  };
  const get = (p: string, follow: boolean) => {
    const e = tree[follow ? resolve(p) : p];
    if (e === undefined) return { ok: false as const, error: { code: 'ENOENT', message: `no ${p}` } };
    return { ok: true as const, value: 'link' in e ? { uid: 0, gid: 0, mode: 0o777, kind: 'link' as const } : e };
  };
  return {
    lookupUser: (u) => {
      const x = USERS[u];
      return x && users.includes(u) ? { ok: true, value: { name: u, ...x } } : { ok: false, error: { code: 'ENOENT', message: `no user "${u}" in /etc/passwd` } };
    },
    lookupGroup: (g) => (GROUPS[g] !== undefined ? { ok: true, value: GROUPS[g] } : { ok: false, error: { code: 'ENOENT', message: `no group "${g}" in /etc/group` } }),
    lstat: (p) => get(p, false),
    stat: (p) => get(p, true),
    realpath: (p) => {
      const parts = p.split('/').filter(Boolean);
      let cur = '';
      for (const part of parts) {
        cur = resolve(`${cur}/${part}`);
        if (tree[cur] === undefined) return { ok: false, error: { code: 'ENOENT', message: `no ${p}` } };
      }
      return { ok: true, value: cur === '' ? '/' : cur };
    },
    pathDirs: ['/usr/local/bin', '/usr/bin'],
  };
}

const SAFE: Tree = { '/': dir(), '/usr': dir(), '/usr/bin': dir(), '/usr/local': dir(), '/usr/local/bin': dir(), '/usr/bin/up.sh': file(), '/bin': { link: '/usr/bin' } };

test('without script_user: keepalived_script when it exists, else root', (t) => {
  t.like(judgeScript({ argv: ['/usr/bin/up.sh', 'a'] }, undefined, deps(SAFE)), { ok: true, argv: ['/usr/bin/up.sh', 'a'], user: 'root', uid: 0, gid: 0 });
  t.like(judgeScript({ argv: ['/usr/bin/up.sh'] }, undefined, deps(SAFE, ['root', 'keepalived_script'])), { ok: true, user: 'keepalived_script', uid: 900, gid: 900 });
});

test('the script\'s own user and group come first, then script_user; a missing user or group refuses the script', (t) => {
  const policy = { user: 'www', security: true };
  t.like(judgeScript({ argv: ['/usr/bin/up.sh'], user: 'root', group: 'adm' }, policy, deps(SAFE)), { ok: true, uid: 0, gid: 4 });
  t.like(judgeScript({ argv: ['/usr/bin/up.sh'] }, policy, deps(SAFE)), { ok: true, user: 'www', uid: 33, gid: 33 });
  t.like(judgeScript({ argv: ['/usr/bin/up.sh'], user: 'nobody' }, policy, deps(SAFE)), { ok: false, code: 'ENOENT', message: 'script user: no user "nobody" in /etc/passwd' });
  t.like(judgeScript({ argv: ['/usr/bin/up.sh'], user: 'www', group: 'wheel' }, policy, deps(SAFE)), { ok: false, code: 'ENOENT' });
});

test('a bare name is found in PATH; a missing program is refused', (t) => {
  t.like(judgeScript({ argv: ['up.sh', 'x'] }, undefined, deps(SAFE)), { ok: true, argv: ['/usr/bin/up.sh', 'x'] });
  t.like(judgeScript({ argv: ['gone.sh'] }, undefined, deps(SAFE)), { ok: false, code: 'ENOENT', message: 'cannot find script gone.sh in PATH (/usr/local/bin:/usr/bin)' });
  t.like(judgeScript({ argv: ['/usr/bin/gone.sh'] }, undefined, deps(SAFE)), { ok: false, code: 'ENOENT' });
});

test('a root script through a symlinked directory (/bin -> /usr/bin) is checked on its resolved path and is safe', (t) => {
  t.like(judgeScript({ argv: ['/bin/up.sh'] }, { security: true }, deps(SAFE)), { ok: true, argv: ['/bin/up.sh'] });
});

test('enable_script_security refuses a root script a non-root user could change; without it the script runs, marked insecure', (t) => {
  const cases: Array<[string, Tree, string]> = [
    ['file owned by a user', { ...SAFE, '/usr/bin/up.sh': file({ uid: 1000 }) }, '/usr/bin/up.sh is owned by uid 1000, not root'],
    ['group-writable file', { ...SAFE, '/usr/bin/up.sh': file({ gid: 4, mode: 0o775 }) }, '/usr/bin/up.sh is writable by group 4'],
    ['world-writable directory', { ...SAFE, '/usr/bin': dir({ mode: 0o777 }) }, '/usr/bin is writable by others'],
  ];
  for (const [name, tree, why] of cases) {
    t.like(judgeScript({ argv: ['/usr/bin/up.sh'] }, { security: true }, deps(tree)), { ok: false, code: 'EPERM', message: `script /usr/bin/up.sh runs as root and ${why}: not run (enable_script_security)` }, name);
    t.like(judgeScript({ argv: ['/usr/bin/up.sh'] }, { security: false }, deps(tree)), { ok: true, insecure: why }, name);
  }
});

test('sticky world-writable directories (/tmp) and root-group write bits are safe; non-root scripts are not checked', (t) => {
  const tree: Tree = { ...SAFE, '/tmp': dir({ mode: 0o1777 }), '/tmp/up.sh': file({ mode: 0o775 }) };
  t.like(judgeScript({ argv: ['/tmp/up.sh'] }, { security: true }, deps(tree)), { ok: true });
  const userFile: Tree = { ...SAFE, '/usr/bin/up.sh': file({ uid: 33, mode: 0o777 }) };
  t.like(judgeScript({ argv: ['/usr/bin/up.sh'], user: 'www' }, { security: true }, deps(userFile)), { ok: true, uid: 33 });
  t.false('insecure' in judgeScript({ argv: ['/usr/bin/up.sh'], user: 'www' }, { security: true }, deps(userFile)));
});

test('a set-uid root program run by a non-root user is checked like a root script', (t) => {
  const tree: Tree = { ...SAFE, '/usr/bin': dir({ mode: 0o777 }), '/usr/bin/up.sh': file({ mode: 0o4755 }) };
  t.like(judgeScript({ argv: ['/usr/bin/up.sh'], user: 'www' }, { security: true }, deps(tree)), { ok: false, code: 'EPERM' });
});

test('miscPolicy: MISC_CHECK scripts get the same judgement, with ids only when they differ from lvsd\'s own', (t) => {
  const cfg = config([], { scripts: { user: 'www', security: true } });
  const asWww = miscPolicy(() => cfg, deps(SAFE), { uid: 0, gid: 0 });
  t.deepEqual(asWww({ argv: ['up.sh'] }), { ok: true, value: { argv: ['/usr/bin/up.sh'], ids: { uid: 33, gid: 33 } } });
  t.deepEqual(asWww({ argv: ['/usr/bin/up.sh'], user: 'root' }), { ok: true, value: { argv: ['/usr/bin/up.sh'] } });
  t.like(miscPolicy(() => cfg, deps({ ...SAFE, '/usr/bin': dir({ mode: 0o777 }) }), { uid: 0, gid: 0 })({ argv: ['/usr/bin/up.sh'], user: 'root' }), { ok: false, error: { code: 'EPERM' } });
});
