/** Reading a config file from disk into the model (the I/O edge of src/config/). */
import { readdirSync, readFileSync } from 'node:fs';
import type { Config } from '../model/types.js';
import { loadConfigDetailed } from '../config/index.js';
import { formatDiagnostic } from '../errors.js';

export type ReadConfigResult = { ok: true; config: Config; warnings: string[] } | { ok: false; errors: string[]; warnings: string[] };

/** Every problem as `FILE:LINE:COL: message`, sorted; never throws for a bad or missing file. */
export function readConfig(path: string): ReadConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, errors: [`${path}: cannot read the configuration: ${err.code ?? err.message}`], warnings: [] };
  }
  const { result, warnings } = loadConfigDetailed({
    path,
    text,
    readFile: (p) => readFileSync(p, 'utf8'),
    listDir: (d) => readdirSync(d),
  });
  const w = warnings.map(formatDiagnostic);
  if (!result.ok) return { ok: false, errors: result.error.map(formatDiagnostic), warnings: w };
  return { ok: true, config: result.value, warnings: w };
}
