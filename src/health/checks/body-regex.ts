/**
 * The body regex of HTTP_GET / SSL_GET with keepalived 2.2.7's offsets (check_http.c
 * check_regex): a match counts only when it STARTS at a byte offset in
 * [regexMinOffset, regexMaxOffset] of the body (both inclusive; either may be absent). The
 * match itself may run past the maximum, and text before the minimum is still seen by
 * lookbehinds and \b (PCRE2's start_offset, here RegExp's lastIndex), while `^` without the
 * multiline flag still means the start of the body. keepalived looks for the leftmost match
 * from the minimum and gives up when it starts after the maximum; so does this. regexNoMatch
 * then inverts the result (`regex_matched == regex_no_match` fails the check).
 * The body is latin1 text, one character per byte, so offsets are byte offsets.
 */
import type { HttpExpect } from '../../model/index.js';

/** Whether the regex of `e` matches `body` within its offsets (before regexNoMatch). */
export function regexMatched(e: Pick<HttpExpect, 'regex' | 'regexFlags' | 'regexMinOffset' | 'regexMaxOffset'>, body: string): boolean {
  if (e.regex === undefined) return false;
  const flags = (e.regexFlags ?? '').replace(/[gy]/g, '');
  const re = new RegExp(e.regex, `${flags}g`);
  re.lastIndex = e.regexMinOffset ?? 0;
  const m = re.exec(body);
  return m !== null && (e.regexMaxOffset === undefined || m.index <= e.regexMaxOffset);
}

/** " starting at bytes 10-20" (or "from byte 10", "at byte 20 or before") for a result's detail; "" without offsets. */
export function offsetsText(e: Pick<HttpExpect, 'regexMinOffset' | 'regexMaxOffset'>): string {
  const lo = e.regexMinOffset;
  const hi = e.regexMaxOffset;
  if (lo !== undefined && hi !== undefined) return ` starting at bytes ${lo}-${hi}`;
  if (lo !== undefined) return ` starting from byte ${lo}`;
  return hi !== undefined ? ` starting at byte ${hi} or before` : '';
}
