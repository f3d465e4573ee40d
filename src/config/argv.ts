/**
 * Splitting a script command line into argv, without any shell: whitespace separates words,
 * '...' is literal, "..." allows \" and \\ escapes, a backslash outside quotes escapes the
 * next character. This is the subset of keepalived's script tokenizer
 * (alloc_strvec_quoted_escaped in lib/parser.c) that means the same thing in both.
 * No variables, globs, redirections or pipes: those would need a shell.
 */

export type SplitResult = { ok: true; value: string[] } | { ok: false; error: string };

export function splitCommand(text: string): SplitResult {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length && (quote === undefined || text[i + 1] === '"' || text[i + 1] === '\\')) {
      word += text[i + 1];
      inWord = true;
      i++;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else word += ch;
    inWord = true;
  }
  if (quote !== undefined) return { ok: false, error: `expected a closing ${quote} in the command, got the end of it` };
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, error: 'expected a command, got an empty string' };
  return { ok: true, value: argv };
}
