/**
 * Loading a config text: files in, a validated model or located errors out (pure).
 * Pipeline (docs/design.md "Configuration"): detect → lex → match braces → expand includes →
 * interpret keywords → build the model with defaults → validate. Every diagnostic found is
 * returned, sorted by file and line. Errors stop the load; warnings (e.g. keepalived's
 * advert_int rounding) do not and are returned by loadConfigDetailed. Unbalanced braces do not
 * stop the reading either: what the keywords say before the first mismatch of a file is still
 * reported (after it, only the mismatch is, since the rest would be its echo).
 */
import type { Result } from '../errors.js';
import { problemsBesideErrors } from './after-errors.js';
import { type Config, type ConfigFormat, type Diagnostic, type Loc, sortDiagnostics, validateConfig } from '../model/index.js';
import { parseFile, type ListDir, type ParsedFile, type ReadFile } from './include.js';
import { interpretKeepalived } from './keepalived/parse.js';
import { newSink } from './keywords.js';
import { KEEPALIVED_LEX, NATIVE_LEX } from './lex.js';
import type { NameService } from './ldirectord/names.js';
import { parseLdirectord } from './ldirectord/parse.js';
import { interpretNative } from './native/parse.js';

export type { ListDir, ReadFile } from './include.js';

export interface LoadOptions {
  readonly path: string;
  readonly text: string;
  /** Reads included files; its thrown ENOENT-like errors become diagnostics. */
  readonly readFile: ReadFile;
  /** Lists a directory; needed only for wildcard includes. */
  readonly listDir?: ListDir;
  /** Skip detection. */
  readonly format?: ConfigFormat;
  /** Host and service names for ldirectord.cf (ldirectord resolves them while parsing); required for that format. */
  readonly names?: NameService;
  /** This host's name (uname -n), for ldirectord.cf's default ftp/sip logins (required for that format) and keepalived.conf's default router_id. */
  readonly hostname?: string;
  /**
   * keepalived.conf's config id (keepalived -i): `@ID` lines apply when ID is it, `@^ID` lines
   * when it is not, `${_INSTANCE}` is it. Default: `hostname` up to its first dot (keepalived's
   * default), else empty (no `@ID` line applies).
   */
  readonly configId?: string;
  /** The directory relative paths start from, for keepalived's `${_PWD}` (default "/"). */
  readonly cwd?: string;
}

export interface LoadReport {
  readonly result: Result<Config, Diagnostic[]>;
  readonly warnings: readonly Diagnostic[];
}

const KEEPALIVED_TOP = /^(global_defs|vrrp_instance|vrrp_sync_group|virtual_server|virtual_server_group|vrrp_script|track_file|vrrp_track_file|vrrp_track_process|static_ipaddress|static_routes)(\s|\{|$)/;
const NATIVE_TOP = /^(director|vrrp|sync-group|sync-daemon|service)(\s|\{|$)/;
/** ldirectord.cf: `directive=value` (virtual6=, fallback6=, ...) or a bare `supervised`. */
const LDIRECTORD_TOP = /^([A-Za-z][A-Za-z0-9]*\s*=|supervised\s*$)/;

/** keepalived's line language (line-reader.ts): `$NAME=` definitions, `@ID` / `@^ID` conditions, `~SEQ` / `~LST` blocks. */
const KEEPALIVED_LINE = /^(\$[A-Za-z_][A-Za-z0-9_]*=|@\^?[^ \t]*[ \t]|~(SEQ|LST))/;

/**
 * The format of a config text, from the first line that shows one (comments, blank lines,
 * `include` lines and lines of no format skipped, so a stray word does not hide the rest);
 * undefined when no line looks like any of them.
 */
export function detectFormat(text: string): ConfigFormat | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!') || /^include[rmwba]?\s/.test(line)) continue;
    if (KEEPALIVED_TOP.test(line) || KEEPALIVED_LINE.test(line)) return 'keepalived';
    if (NATIVE_TOP.test(line)) return 'native';
    if (LDIRECTORD_TOP.test(line)) return 'ldirectord';
  }
  return undefined;
}

export function loadConfig(o: LoadOptions): Result<Config, Diagnostic[]> {
  return loadConfigDetailed(o).result;
}

/**
 * A file made only of includes (`include /etc/keepalived/conf.d/*.conf`) takes the format of
 * the first included file that shows one. Unreadable files are skipped here; the load reports them.
 */
function detectThroughIncludes(o: LoadOptions, depth = 0): ConfigFormat | undefined {
  const direct = detectFormat(o.text);
  if (direct !== undefined || depth > 4) return direct;
  for (const m of o.text.matchAll(/^\s*include[rmwba]?\s+(\S+)\s*$/gm)) {
    const target = m[1] ?? '';
    const dir = o.path.includes('/') ? o.path.slice(0, o.path.lastIndexOf('/') + 1) : '';
    const file = target.startsWith('/') ? target : dir + target;
    if (/[*?[]/.test(file)) continue;
    let text: string;
    try {
      text = o.readFile(file);
    } catch (e) {
      if (e instanceof Error) continue;
      throw e;
    }
    const found = detectThroughIncludes({ ...o, path: file, text }, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function loadConfigDetailed(o: LoadOptions): LoadReport {
  const format = o.format ?? detectThroughIncludes(o);
  const fail = (errors: readonly Diagnostic[], warnings: readonly Diagnostic[] = []): LoadReport => ({
    result: { ok: false, error: sortDiagnostics(errors) },
    warnings: sortDiagnostics(warnings),
  });
  if (format === undefined) {
    return fail([{ at: { file: o.path, line: firstLine(o.text), col: 1 }, message: 'expected lvsd\'s native format (director, vrrp, service, ...), keepalived.conf (global_defs, vrrp_instance, virtual_server, ...) or ldirectord.cf (checktimeout=..., virtual=...), got none of them' }]);
  }
  if (format === 'heartbeat') {
    return fail([{ at: { file: o.path, line: 1, col: 1 }, message: 'expected a heartbeat directory (ha.cf, haresources, authkeys) for the heartbeat format, got a file' }]);
  }
  if (format === 'ldirectord') {
    if (o.names === undefined || o.hostname === undefined) throw new Error('loadConfigDetailed: ldirectord.cf needs LoadOptions.names and hostname');
    const r = parseLdirectord({ path: o.path, text: o.text, names: o.names, hostname: o.hostname });
    return r.config === undefined ? fail(r.errors, r.warnings) : { result: { ok: true, value: r.config }, warnings: r.warnings };
  }
  const parsed = parse(o, format);
  const sink = newSink();
  const config = format === 'native' ? interpretNative(o.path, parsed.body, sink) : interpretKeepalived(o.path, parsed.body, sink, o.hostname);
  if (parsed.braceProblems.length > 0) {
    const trusted = (ds: readonly Diagnostic[]): Diagnostic[] => ds.filter((d) => !parsed.braceProblems.some((b) => atOrAfter(d.at, b)));
    return fail([...parsed.diagnostics, ...trusted(sink.errors)], trusted(sink.warnings));
  }
  sink.errors.push(...parsed.diagnostics);
  if (config === undefined) return fail(sink.errors, sink.warnings);
  const problems = problemsBesideErrors(parsed.body, sink.errors, validateConfig(config));
  if (sink.errors.length > 0) return fail([...sink.errors, ...problems], sink.warnings);
  if (problems.length > 0) return fail(problems, sink.warnings);
  return { result: { ok: true, value: config }, warnings: sortDiagnostics(sink.warnings) };
}

function parse(o: LoadOptions, format: 'native' | 'keepalived'): ParsedFile {
  const reader = { readFile: o.readFile, ...(o.listDir ? { listDir: o.listDir } : {}) };
  if (format === 'native') return parseFile({ path: o.path, text: o.text, lexOptions: NATIVE_LEX, reader });
  const configId = o.configId ?? o.hostname?.split('.')[0] ?? '';
  return parseFile({ path: o.path, text: o.text, lexOptions: KEEPALIVED_LEX, reader, keepalived: { configId, cwd: o.cwd ?? '/' } });
}

/** `a` is in the file of `b`, at or after it. */
function atOrAfter(a: Loc, b: Loc): boolean {
  return a.file === b.file && (a.line > b.line || (a.line === b.line && (a.col ?? 0) >= (b.col ?? 0)));
}

function firstLine(text: string): number {
  const i = text.split(/\r?\n/).findIndex((l) => l.trim() !== '' && !/^[#!]/.test(l.trim()));
  return i < 0 ? 1 : i + 1;
}
