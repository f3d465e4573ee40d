/** Tests' view of a keepalived.conf text loaded as k.conf (no includes): the model, or the errors, and the warnings, formatted. */
import { type Config, formatDiagnostic } from '../../model/index.js';
import { loadConfigDetailed } from '../load.js';

export interface Loaded {
  readonly config: Config | undefined;
  readonly errors: string[];
  readonly warnings: string[];
}

export function loadText(text: string): Loaded {
  const r = loadConfigDetailed({ path: 'k.conf', text, readFile: () => '', listDir: () => [] });
  return {
    config: r.result.ok ? r.result.value : undefined,
    errors: r.result.ok ? [] : r.result.error.map(formatDiagnostic),
    warnings: r.warnings.map(formatDiagnostic),
  };
}
