import test from 'ava';
import { formatDiagnostic, type HttpExpect } from '../../model/index.js';
import { loadConfigDetailed } from '../load.js';

function load(url: string) {
  const text = `virtual_server 192.0.2.1 80 {\n lb_algo rr\n lb_kind DR\n protocol TCP\n real_server 192.0.2.10 80 {\n  HTTP_GET {\n   url {\n    path /\n${url}   }\n  }\n }\n}\n`;
  const r = loadConfigDetailed({ path: 'k.conf', text, readFile: () => '', listDir: () => [] });
  const urls: HttpExpect[] = r.result.ok ? r.result.value.services.flatMap((s) => s.reals.flatMap((rs) => rs.health?.checks.flatMap((c) => (c.probe.kind === 'http' ? c.probe.urls : [])) ?? [])) : [];
  return { urls, errors: r.result.ok ? [] : r.result.error.map(formatDiagnostic), warnings: r.warnings.map(formatDiagnostic) };
}

test('regex_min_offset / regex_max_offset reach the url as inclusive byte offsets; with regex_no_match too', (t) => {
  const r = load('    regex "ok"\n    regex_min_offset 10\n    regex_max_offset 20\n    regex_no_match\n');
  t.deepEqual(r.errors, []);
  t.deepEqual(r.warnings, []);
  t.like(r.urls[0], { regex: 'ok', regexMinOffset: 10, regexMaxOffset: 20, regexNoMatch: true });
});

test('regex_min_offset 0 is no minimum; regex_max_offset 0 means the match must start the body (keepalived stores max + 1)', (t) => {
  const r = load('    regex "ok"\n    regex_min_offset 0\n    regex_max_offset 0\n');
  t.deepEqual(r.errors, []);
  t.false('regexMinOffset' in (r.urls[0] ?? {}));
  t.like(r.urls[0], { regexMaxOffset: 0 });
});

test('a minimum beyond the maximum: both ignored with keepalived\'s reason, at the minimum\'s line', (t) => {
  const r = load('    regex "ok"\n    regex_max_offset 5\n    regex_min_offset 6\n');
  t.deepEqual(r.errors, []);
  t.deepEqual(r.warnings, ['k.conf:11:5: regex_min_offset 6 is beyond regex_max_offset 5: both are ignored (the regex may match anywhere), as keepalived 2.2.7 does (and logs)']);
  t.false('regexMinOffset' in (r.urls[0] ?? {}) || 'regexMaxOffset' in (r.urls[0] ?? {}));
});

test('offsets without a regex have no effect (warned); a value that is not a decimal byte offset is an error at the value', (t) => {
  const r = load('    regex_min_offset 4\n');
  t.deepEqual(r.warnings, ['k.conf:9:5: regex_no_match, regex_options and regex offsets without a regex in this url have no effect (keepalived 2.2.7 ignores them too)']);
  t.false('regexMinOffset' in (r.urls[0] ?? {}));
  const bad = load('    regex "ok"\n    regex_max_offset -1\n    regex_min_offset 1x\n');
  t.is(bad.errors.length, 2);
  t.regex(bad.errors[0] ?? '', /^k\.conf:10:22: .*byte offset/);
  t.regex(bad.errors[1] ?? '', /^k\.conf:11:22: .*byte offset/);
});
