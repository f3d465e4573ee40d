/**
 * ldirectord's `receive` as a JS RegExp (pure). ldirectord matches it with Perl, unanchored
 * and without modifiers (`$content =~ /$receive/`), on bytes; we match on latin1 text, which
 * keeps every byte as one character. The Perl spellings that mean something else in JS are
 * translated outside character classes:
 *  - `$` (end, or before a final newline in Perl) → `(?=\n?$)`; JS `$` is the very end only;
 *  - `\A` → `^`, `\z` → `$(?![\s\S])`, `\Z` → `(?=\n?$)` (no m flag: `^`/`$` are the ends);
 *  - a leading `(?i)`, `(?s)`, `(?m)`, `(?x)`... group of modifiers → RegExp flags (x refused).
 * Anything JS cannot compile (possessive quantifiers, \G, recursion...) is reported, never
 * silently matched differently.
 */

export type Receive = { readonly ok: true; readonly re: RegExp } | { readonly ok: false; readonly detail: string };

const FLAGS: Readonly<Record<string, string>> = { i: 'i', s: 's', m: 'm' };

function leadingFlags(src: string): { rest: string; flags: string } | { error: string } {
  const m = /^\(\?([a-z]+)\)/.exec(src);
  if (m === null) return { rest: src, flags: '' };
  let flags = '';
  for (const c of m[1] ?? '') {
    const f = FLAGS[c];
    if (f === undefined) return { error: `the Perl modifier (?${c}) has no JS equivalent` };
    if (!flags.includes(f)) flags += f;
  }
  return { rest: src.slice(m[0].length), flags };
}

/** Rewrites Perl-only anchors outside character classes; `m` keeps `$` per line. */
function translate(src: string, multiline: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] ?? '';
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      i++;
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && n === 'z') out += '$(?![\\s\\S])';
      else if (!inClass && n === 'Z') out += '(?=\\n?$)';
      else out += c + n;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') out += src[++i] ?? '';
      if (src[i + 1] === ']') out += src[++i] ?? '';
      continue;
    }
    out += c === '$' && !multiline ? '(?=\\n?$)' : c;
  }
  return out;
}

/** Compiles a receive string; "" is not a pattern here (each service says what an empty receive means). */
export function compileReceive(receive: string): Receive {
  const lead = leadingFlags(receive);
  if ('error' in lead) return { ok: false, detail: `receive ${JSON.stringify(receive)}: ${lead.error}` };
  try {
    return { ok: true, re: new RegExp(translate(lead.rest, lead.flags.includes('m')), lead.flags) };
  } catch (e) {
    return { ok: false, detail: `receive ${JSON.stringify(receive)} is not a pattern lvsd can run: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Bytes as Perl sees them: one character per byte. */
export function perlText(data: Buffer): string {
  return data.toString('latin1');
}
