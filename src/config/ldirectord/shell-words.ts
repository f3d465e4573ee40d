/**
 * ldirectord runs fallbackcommand and callback through `sh -c`. lvsd runs nothing through a
 * shell, so it splits the command into words as sh would (blanks separate words; '...' and
 * "..." quote; a backslash escapes the next character outside single quotes) and refuses
 * what only a shell could do: expansions ($, `), redirections, pipes, lists, globs, ~.
 */
import { no, ok, type Read } from './values.js';

const SPECIAL = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[']);

export function shellWords(text: string, what: string): Read<readonly string[]> {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  const refuse = (c: string): Read<readonly string[]> => no(`expected a plain command for ${what} (lvsd runs it without a shell), got shell syntax "${c}" in "${text}"`);
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) return refuse(c);
      word = (word ?? '') + next;
      i++;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '$' || c === '`') return refuse(c);
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
      continue;
    }
    const blank = c === ' ' || c === '\t';
    if (blank && word !== undefined) words.push(word);
    if (blank) word = undefined;
    else if (SPECIAL.has(c) || ((c === '#' || c === '~') && word === undefined)) return refuse(c);
    else word = (word ?? '') + c;
  }
  if (quote !== undefined) return no(`expected a closing ${quote} in ${what}, got "${text}"`);
  if (word !== undefined) words.push(word);
  if (words.length === 0) return no(`expected a command for ${what}, got none`);
  return ok(words);
}
