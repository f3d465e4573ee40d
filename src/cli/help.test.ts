/**
 * docs/cli.md is the command-line contract and must stay in step with what the programs offer:
 * every option and command their `--help` lists is in it, and nothing it marks "not built yet"
 * is offered by `--help`.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { main as lvsctl } from './lvsctl.js';
import { main as lvsd } from './lvsd.js';

const CONTRACT = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');

async function help(program: (argv: string[], io: { out(s: string): void; err(s: string): void }) => Promise<number>, argv: string[]): Promise<string> {
  let out = '';
  const code = await program([...argv, '--help'], { out: (s) => void (out += s), err: (s) => void (out += s) });
  if (code !== 0) throw new Error(`${argv.join(' ')} --help exited ${code}`);
  return out;
}

/** Long options (`--config`) and the commands of a "Commands:" section (`realserver`). */
function offered(text: string): string[] {
  const options = text.match(/--[a-z][a-z0-9-]*/g) ?? [];
  const commands = (text.split('Commands:')[1] ?? '').split('\n').map((l) => /^ {2}([a-z][a-z-]*)/.exec(l)?.[1]).filter((c): c is string => c !== undefined);
  return [...new Set([...options, ...commands])].filter((x) => x !== '--help' && x !== 'help');
}

/** What a docs/cli.md line marked "not built yet" names: an lvsctl command (`lvsctl sync`), else its first option. */
function notBuilt(contract: string): string[] {
  const marked = contract.split('\n').filter((l) => l.includes('not built yet'));
  return marked.flatMap((l) => {
    const command = /^lvsctl ([a-z|]+)/.exec(l)?.[1];
    if (command !== undefined) return command.split('|');
    return /^ +(?:-[a-z], )?(--[a-z][a-z0-9-]*)/.exec(l)?.slice(1, 2) ?? [];
  });
}

const PROGRAMS: ReadonlyArray<[string, typeof lvsd, string[]]> = [
  ['lvsd', lvsd, []],
  ['lvsd realserver', lvsd, ['realserver']],
  ['lvsctl', lvsctl, []],
  ['lvsctl status', lvsctl, ['status']],
  ['lvsctl vrrp', lvsctl, ['vrrp']],
  ['lvsctl sync', lvsctl, ['sync']],
  ['lvsctl checks', lvsctl, ['checks']],
  ['lvsctl drain', lvsctl, ['drain']],
  ['lvsctl enable', lvsctl, ['enable']],
  ['lvsctl director', lvsctl, ['director']],
  ['lvsctl reload', lvsctl, ['reload']],
];

test('every option and command that --help offers is in docs/cli.md', async (t) => {
  for (const [name, program, argv] of PROGRAMS) {
    const missing = offered(await help(program, argv)).filter((x) => !CONTRACT.includes(x));
    t.deepEqual(missing, [], `${name} --help offers what docs/cli.md does not name`);
  }
});

test('nothing docs/cli.md marks "not built yet" is offered by --help', async (t) => {
  const sample = ['lvsctl frob|frab X   not built yet: …', '      --fizz N       not built yet: …', '  -q, --quux         built'].join('\n');
  t.deepEqual(notBuilt(sample), ['frob', 'frab', '--fizz'], 'the marks are read');
  const reserved = notBuilt(CONTRACT);
  const all = new Set<string>();
  for (const [, program, argv] of PROGRAMS) for (const x of offered(await help(program, argv))) all.add(x);
  t.deepEqual(reserved.filter((x) => all.has(x)), []);
});

test('-t promises the FILE:LINE:COL: form the validator prints, and -f names the three file formats', async (t) => {
  const text = (await help(lvsd, [])).replace(/\s+/g, ' ');
  t.regex(text, /FILE:LINE:COL: message/);
  t.regex(text, /native format, keepalived\.conf or ldirectord\.cf/);
});
