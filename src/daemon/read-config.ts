/**
 * Reading a config from disk into the model (the I/O edge of src/config/): a file (native,
 * keepalived.conf or ldirectord.cf, detected from its content) or a heartbeat directory
 * (ha.cf, haresources, authkeys). This is where the pure front-ends get their inputs: file
 * contents, /etc/hosts and /etc/services for ldirectord's names (no DNS: a host name must be
 * in /etc/hosts), the node name (uname -n), authkeys' mode and this host's addresses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { type Config, type Diagnostic, type ReportedDiagnostic, type Severity, sortDiagnostics } from '../model/index.js';
import { loadConfigDetailed, type LoadReport, type NameService, nameServiceFromFiles, readHaDir } from '../config/index.js';

/**
 * Every problem found, errors and warnings together in file and line order, as structured
 * values (they are formatted only where they are printed: lvsd -t, lvsctl reload).
 */
export type ReadConfigResult =
  | { readonly ok: true; readonly config: Config; readonly diagnostics: readonly ReportedDiagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly ReportedDiagnostic[] };

/** The file system as the config reader uses it; tests pass files held in memory. */
export interface ConfigFiles {
  readFile(path: string): string;
  listDir(dir: string): string[];
}

export const diskFiles: ConfigFiles = {
  readFile: (p) => readFileSync(p, 'utf8'),
  listDir: (d) => readdirSync(d),
};

export interface ReadConfigOptions {
  /** Warnings (compatibility differences) count as errors (lvsd --strict). */
  readonly strict?: boolean;
  /** Where files are read from (default: the disk). A heartbeat directory is recognised on the disk only. */
  readonly files?: ConfigFiles;
  /** keepalived.conf's config id (keepalived -i, lvsd --config-id); default: the host name up to its first dot. */
  readonly configId?: string;
}

function textOrEmpty(files: ConfigFiles, path: string): string {
  try {
    return files.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/** The default name service: /etc/hosts and /etc/services, read once per load. */
function systemNames(files: ConfigFiles): NameService {
  return nameServiceFromFiles({ hosts: textOrEmpty(files, '/etc/hosts'), services: textOrEmpty(files, '/etc/services') });
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (e) {
    if (e instanceof Error) return false;
    throw e;
  }
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode;
  } catch (e) {
    if (e instanceof Error) return undefined;
    throw e;
  }
}

function load(path: string, files: ConfigFiles, configId: string | undefined): LoadReport | { readError: ReportedDiagnostic } {
  const read = (p: string): string => files.readFile(p);
  if (isDirectory(path)) {
    const authkeysMode = modeOf(`${path.replace(/\/+$/, '')}/authkeys`);
    return readHaDir(path, { readFile: read, nodeName: hostname(), names: systemNames(files), localAddresses: localAddresses(), ...(authkeysMode !== undefined ? { authkeysMode } : {}) });
  }
  let text: string;
  try {
    text = read(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // line 0: the file as a whole (formatDiagnostic prints FILE: message)
    return { readError: { at: { file: path, line: 0 }, severity: 'error', message: `cannot read the configuration: ${err.code ?? err.message}` } };
  }
  return loadConfigDetailed({
    path, text, readFile: read, listDir: (d) => files.listDir(d), names: systemNames(files), hostname: hostname(), cwd: process.cwd(),
    ...(configId !== undefined ? { configId } : {}),
  });
}

/** The list a front-end reported a diagnostic in decides its severity (model/loc.ts). */
function rated(ds: readonly Diagnostic[], severity: Severity): ReportedDiagnostic[] {
  return ds.map((d) => ({ ...d, severity }));
}

/** Every problem found, sorted; never throws for a bad or missing file. With `strict` a warning is an error. */
export function readConfig(path: string, o: ReadConfigOptions = {}): ReadConfigResult {
  const r = load(path, o.files ?? diskFiles, o.configId);
  if ('readError' in r) return { ok: false, diagnostics: [r.readError] };
  const warnings = o.strict
    ? r.warnings.map((w): ReportedDiagnostic => ({ ...w, severity: 'error', message: `${w.message} (a warning; an error with --strict)` }))
    : rated(r.warnings, 'warning');
  const errors = r.result.ok ? [] : rated(r.result.error, 'error');
  if (!r.result.ok || (o.strict && warnings.length > 0)) return { ok: false, diagnostics: sortDiagnostics([...errors, ...warnings]) };
  return { ok: true, config: r.result.value, diagnostics: warnings };
}
