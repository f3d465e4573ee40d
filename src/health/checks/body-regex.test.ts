import test from 'ava';
import type { HttpExpect } from '../../model/index.js';
import { offsetsText, regexMatched } from './body-regex.js';
import { ResponseReader } from './http-response.js';

const BODY = 'status: ok; backend ok; version 2';

test('without offsets: anywhere in the body', (t) => {
  t.true(regexMatched({ regex: 'version \\d' }, BODY));
  t.false(regexMatched({ regex: 'down' }, BODY));
});

test('regex_min_offset: the match must start at or after the offset (inclusive)', (t) => {
  t.true(regexMatched({ regex: 'ok', regexMinOffset: 8 }, BODY)); // "ok" at 8
  t.true(regexMatched({ regex: 'ok', regexMinOffset: 9 }, BODY)); // the next "ok" at 20
  t.false(regexMatched({ regex: 'status', regexMinOffset: 1 }, BODY));
});

test('regex_max_offset: the match must start at or before the offset (inclusive) and may run past it', (t) => {
  t.true(regexMatched({ regex: 'backend ok', regexMaxOffset: 12 }, BODY)); // starts at 12, ends at 22
  t.false(regexMatched({ regex: 'backend ok', regexMaxOffset: 11 }, BODY));
  t.false(regexMatched({ regex: 'version', regexMaxOffset: 5 }, BODY));
});

test('both offsets: the leftmost match from the minimum decides (keepalived stops there)', (t) => {
  t.true(regexMatched({ regex: 'ok', regexMinOffset: 9, regexMaxOffset: 20 }, BODY));
  t.false(regexMatched({ regex: 'ok', regexMinOffset: 9, regexMaxOffset: 19 }, BODY));
  t.false(regexMatched({ regex: 'ok', regexMinOffset: 21, regexMaxOffset: 40 }, BODY));
});

test('text before the minimum is seen by lookbehind and \\b; ^ stays the start of the body (PCRE2 start_offset semantics)', (t) => {
  t.true(regexMatched({ regex: '(?<=backend )ok', regexMinOffset: 20 }, BODY));
  t.false(regexMatched({ regex: '\\bok', regexMinOffset: 21 }, 'xxxxxxxxxxxxxxxxxxxxxok'));
  t.true(regexMatched({ regex: '\\Bk', regexMinOffset: 22 }, 'xxxxxxxxxxxxxxxxxxxxxok'));
  t.false(regexMatched({ regex: '^backend', regexMinOffset: 12 }, BODY));
  t.true(regexMatched({ regex: '^backend', regexFlags: 'm', regexMinOffset: 12 }, 'status: ok;\nbackend ok'));
});

test('flags are kept (caseless), and a minimum past the end never matches', (t) => {
  t.true(regexMatched({ regex: 'VERSION', regexFlags: 'i', regexMinOffset: 24, regexMaxOffset: 24 }, BODY));
  t.false(regexMatched({ regex: '.*', regexMinOffset: BODY.length + 1 }, BODY));
});

test('offsets in the detail text', (t) => {
  t.is(offsetsText({}), '');
  t.is(offsetsText({ regexMinOffset: 3, regexMaxOffset: 9 }), ' starting at bytes 3-9');
  t.is(offsetsText({ regexMinOffset: 3 }), ' starting from byte 3');
  t.is(offsetsText({ regexMaxOffset: 9 }), ' starting at byte 9 or before');
});

test('through the response reader: offsets decide the verdict, regex_no_match inverts it, the detail names the offsets', (t) => {
  const verdict = (expect: HttpExpect) => {
    const r = new ResponseReader({ expect, head: false, maxHeaderBytes: 4096, maxBodyBytes: 4096 });
    return r.feed(Buffer.from(`HTTP/1.0 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`)) ?? r.end();
  };
  const base: HttpExpect = { path: '/', status: [[200, 299]], regex: 'version' };
  t.like(verdict({ ...base, regexMinOffset: 24 }), { ok: true });
  t.like(verdict({ ...base, regexMinOffset: 25 }), { ok: false, reason: 'content', detail: 'body does not match /version/ starting from byte 25' });
  t.like(verdict({ ...base, regexMinOffset: 25, regexNoMatch: true }), { ok: true });
  t.like(verdict({ ...base, regexMaxOffset: 24, regexNoMatch: true }), { ok: false, reason: 'content', detail: 'body matches /version/ starting at byte 24 or before' });
});
