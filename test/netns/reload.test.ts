/**
 * HUP reload is all or nothing; notify scripts run in order without a shell.
 */
import test from 'ava';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { addresses, makeLan, nsExec } from './topology.js';
import { STARTUP_MS, stillTrue, waitUntil } from '../fixtures/wait.js';
import { keepalivedInstance, roleOf, startLvsd, tempDir, vrrpStatus, LVSCTL } from './lvsd-harness.js';

const VIP = '192.0.2.10';
const G = 'global_defs {\n    vrrp_version 3\n}\n';

test('HUP with a bad file changes nothing and says why; a good file then applies', async (t) => {
  const lan = makeLan(t, ['a', 'b']);
  const dir = tempDir(t);
  const a = startLvsd(t, { ns: lan.ns.a!, name: 'a', dir, config: G + keepalivedInstance({ vrid: 61, priority: 150, advertInt: '0.05', vips: [`${VIP}/24`] }) });
  const b = startLvsd(t, { ns: lan.ns.b!, name: 'b', dir, config: G + keepalivedInstance({ vrid: 61, priority: 100, advertInt: '0.05', vips: [`${VIP}/24`] }) });
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER' && roleOf(b, 'VI_1') === 'BACKUP', 'a MASTER', STARTUP_MS);

  // a typo: the whole reload is refused, the running instance is untouched
  writeFileSync(a.config, G + keepalivedInstance({ vrid: 61, priority: 50, advertInt: '0.05', vips: [`${VIP}/24`], extra: ['priorty 10'] }));
  a.kill('SIGHUP');
  await waitUntil(() => a.lines.some((l) => l.event === 'config.reload' && l.ok === false), 'reload refused', 3000);
  const refused = a.lines.find((l) => l.event === 'config.reload' && l.ok === false)!;
  // structured in the log line: file, line, column, severity, message (formatted only by lvsctl / lvsd -t)
  const why = (refused.diagnostics as Array<{ at: { file: string; line: number; col?: number }; severity: string; message: string }>)
    .find((d) => d.message.startsWith('unknown keyword "priorty"'));
  t.like(why, { at: { file: a.config }, severity: 'error' });
  t.true((why?.at.line ?? 0) > 0 && (why?.at.col ?? 0) > 0, 'with its line and column');
  await t.notThrowsAsync(stillTrue(() => roleOf(a, 'VI_1') === 'MASTER', 'a MASTER after the refused reload', 300));
  t.is(vrrpStatus(a, lan.ns.a!)[0]?.state, 'MASTER');

  // lvsctl reload reports the refusal too
  const out = (() => {
    try {
      nsExec(lan.ns.a!, process.execPath, [LVSCTL, '--socket', a.socket, 'reload']);
      return 'exit 0';
    } catch (e) {
      return String((e as { stderr?: string }).stderr);
    }
  })();
  t.regex(out, /refused/);
  t.regex(out, /a\.conf:\d+:\d+: unknown keyword "priorty"/, 'lvsctl prints them as FILE:LINE:COL: message');

  // a valid lower priority: the master steps down to the backup
  writeFileSync(a.config, G + keepalivedInstance({ vrid: 61, priority: 50, advertInt: '0.05', vips: [`${VIP}/24`] }));
  a.kill('SIGHUP');
  await waitUntil(() => roleOf(b, 'VI_1') === 'MASTER' && addresses(lan.ns.b!).includes(VIP), 'b MASTER after reload', 5000);
  await waitUntil(() => roleOf(a, 'VI_1') === 'BACKUP', 'a BACKUP', 3000);
  t.false(addresses(lan.ns.a!).includes(VIP));
});

test('notify scripts run without a shell, in order, with the state', async (t) => {
  const lan = makeLan(t, ['a']);
  const dir = tempDir(t);
  const log = join(dir, 'notify.log');
  const script = join(dir, 'notify.mjs');
  writeFileSync(script, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, process.argv.slice(2).join(' ') + '\\n');\n`);
  const quoted = (args: string) => `"${process.execPath} ${script} ${args}"`;
  const a = startLvsd(t, { ns: lan.ns.a!, name: 'a', dir, config: G + keepalivedInstance({ vrid: 62, priority: 150, advertInt: '0.05', vips: [`${VIP}/24`],
    extra: [`notify_master ${quoted('master $(id)')}`, `notify_backup ${quoted('backup')}`, `notify ${quoted('generic')}`] }) });
  await waitUntil(() => roleOf(a, 'VI_1') === 'MASTER', 'MASTER', STARTUP_MS);
  await waitUntil(() => existsSync(log) && readFileSync(log, 'utf8').split('\n').length >= 5, 'notify lines', 5000);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  t.deepEqual(lines.slice(0, 4), ['backup', 'generic INSTANCE VI_1 BACKUP 150', 'master $(id)', 'generic INSTANCE VI_1 MASTER 150']);
});
