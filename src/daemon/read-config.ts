/** Reading a config file from disk into the model (the I/O edge of src/config/). */
import { readFileSync } from 'node:fs';
import type { Config } from '../model/types.js';
import { loadConfig } from '../config/index.js';
import { formatDiagnostic } from '../errors.js';

export type ReadConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Every problem as `FILE:LINE:COL: message`, sorted; never throws for a bad or missing file. */
export function readConfig(path: string): ReadConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, errors: [`${path}: cannot read the configuration: ${err.code ?? err.message}`] };
  }
  const r = loadConfig({ path, text, readFile: (p) => readFileSync(p, 'utf8') });
  if (!r.ok) return { ok: false, errors: r.error.map(formatDiagnostic) };
  return { ok: true, config: r.value };
}
