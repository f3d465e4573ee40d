/**
 * Script command lines as keepalived 2.2.7 reads them. Script keywords (vrrp_script `script`,
 * MISC_CHECK `misc_path`, notify_up/down, quorum_up/down) re-read their raw line with a second
 * tokenizer, alloc_strvec_quoted_escaped (lib/parser.c), then split the first word after the
 * keyword once more into argv (set_script_params_array, lib/notify.c). Observed with keepalived
 * 2.2.7 (an argv-dumping script under `keepalived -n`): `script /x one two` runs /x with no
 * arguments, `script "/x 'a b' c"` runs /x "a b" c, `script '/x y\tz'` runs /x y z.
 */
import type { ScriptRun } from '../../model/index.js';
import { error, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import type { Stmt } from '../tree.js';

export type Split = { ok: true; words: string[] } | { ok: false; error: string };

const SPACE = ' \t\f\n\r\v';
const NAMED: Readonly<Record<string, string>> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One escape after a backslash at `i` (the character after it): the text it stands for and the next index. */
function escape(src: string, i: number): { ch: string; next: number } {
  const c = src[i] ?? '';
  if (c === 'x' && /[0-9a-fA-F]/.test(src[i + 1] ?? '')) {
    let j = i + 1;
    let v = 0;
    while (/[0-9a-fA-F]/.test(src[j] ?? '')) v = ((v << 4) | parseInt(src[j++] ?? '0', 16)) & 0xff; // a C char keeps the low byte
    return { ch: String.fromCharCode(v), next: j };
  }
  if (c === 'c' && i + 1 < src.length) return { ch: String.fromCharCode((src.charCodeAt(i + 1) & 0x1f)), next: i + 2 };
  if (c >= '0' && c <= '7') {
    let j = i;
    let v = 0;
    while (j < i + 3 && (src[j] ?? '') >= '0' && (src[j] ?? '') <= '7') v = (v << 3) + Number(src[j++]);
    return { ch: String.fromCharCode(v & 0xff), next: j };
  }
  return { ch: NAMED[c] ?? c, next: i + 1 };
}

/** keepalived's alloc_strvec_quoted_escaped: '...' and "..." group, backslash escapes everywhere. */
export function quotedEscaped(src: string): Split {
  const words: string[] = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && SPACE.includes(src[i] ?? '')) i++;
    if (i >= src.length) break;
    let word = '';
    let quote = '';
    while (i < src.length) {
      const c = src[i] ?? '';
      if (c === '\\') {
        if (i + 1 >= src.length) return { ok: false, error: 'expected a character after the final "\\", got the end of the line' };
        const e = escape(src, i + 1);
        word += e.ch;
        i = e.next;
      } else if (quote !== '' && c === quote) { quote = ''; i++; }
      else if (quote === '' && (c === '"' || c === "'")) { quote = c; i++; }
      else if (quote === '' && SPACE.includes(c)) break;
      else { word += c; i++; }
    }
    if (quote !== '') return { ok: false, error: `expected a closing ${quote}, got the end of the line` };
    words.push(word);
  }
  return { ok: true, words };
}

/** The index just after a word in its source line (quoted words: after the closing quote). */
function rawEnd(w: Word): number {
  const start = w.offset ?? (w.at.col ?? 1) - 1;
  const line = w.line ?? '';
  if (!w.quoted) return start + w.text.length;
  let i = start + 1;
  while (i < line.length && line[i] !== '"') i += line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\') ? 2 : 1;
  return i + 1;
}

/** The raw text of a statement from its keyword to its last argument, as keepalived re-reads it. */
export function rawStatement(s: Stmt): string {
  const last = s.args[s.args.length - 1] ?? s.keyword;
  const line = s.keyword.line ?? [s.keyword, ...s.args].map((w) => w.text).join(' ');
  if (last.line !== s.keyword.line || s.keyword.line === undefined) return line;
  return line.slice(s.keyword.offset ?? (s.keyword.at.col ?? 1) - 1, rawEnd(last));
}

export interface ScriptWords {
  /** The command, split into argv. */
  readonly argv: string[];
  /** Words after the command (keepalived: a user and group for notify scripts, dropped for others). */
  readonly extra: string[];
}

/** Split a script keyword's line as keepalived does; errors are reported at the command word. */
export function scriptWords(s: Stmt, sink: Sink): ScriptWords | undefined {
  const at = s.args[0]?.at ?? s.keyword.at;
  const line = quotedEscaped(rawStatement(s));
  if (!line.ok) return reportBad(sink, at, line.error);
  const [, command, ...extra] = line.words;
  if (command === undefined) return reportBad(sink, at, 'expected a command, got none');
  const argv = quotedEscaped(command);
  if (!argv.ok) return reportBad(sink, at, argv.error);
  if (argv.words.length === 0) return reportBad(sink, at, 'expected a command, got an empty string');
  return { argv: argv.words, extra };
}

function reportBad(sink: Sink, at: Word['at'], message: string): undefined {
  error(sink, at, `${message} (in a script command line)`);
  return undefined;
}

/**
 * vrrp_script `script` and MISC_CHECK `misc_path`: keepalived runs the first word only and
 * drops the others silently; lvsd does the same and says so.
 */
export function commandOnly(s: Stmt, sink: Sink): string[] | undefined {
  const w = scriptWords(s, sink);
  if (w === undefined) return undefined;
  // The lexer and keepalived group words alike except inside '...': count from the end.
  const dropped = s.args[s.args.length - w.extra.length] ?? s.args[1];
  if (w.extra.length > 0 && dropped !== undefined) {
    sink.warnings.push({
      at: dropped.at,
      message: `${s.keyword.text} runs "${w.argv.join(' ')}" only: keepalived 2.2.7 drops the words after the first (${w.extra.map((x) => `"${x}"`).join(' ')}); quote the whole command line to pass them`,
    });
  }
  return w.argv;
}

/** notify_up/down, quorum_up/down: `"COMMAND ARGS" [USER [GROUP]]` (keepalived notify_script_init). */
export function notifyScript(s: Stmt, sink: Sink): ScriptRun | undefined {
  const w = scriptWords(s, sink);
  if (w === undefined) return undefined;
  const [user, group, more] = w.extra;
  if (more !== undefined) {
    error(sink, s.args[s.args.length - w.extra.length + 2]?.at ?? s.keyword.at, `expected "COMMAND" [USER [GROUP]] after "${s.keyword.text}", got more words ("${more}")`);
    return undefined;
  }
  return { argv: w.argv, ...(user !== undefined ? { user } : {}), ...(group !== undefined ? { group } : {}) };
}
