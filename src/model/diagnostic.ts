/**
 * Diagnostics: a problem found in a configuration, at a place in a file (pure). Every
 * front-end and the model's validation report these; the edges print them.
 */
import type { Diagnostic, Loc, ReportedDiagnostic } from './types.js';

/** `FILE:LINE:COL` (COL omitted when unknown; LINE too when 0: the file as a whole), as diagnostics and cross-references cite a place. */
export function formatLoc(at: Loc): string {
  if (at.line === 0) return at.file;
  return at.col !== undefined ? `${at.file}:${at.line}:${at.col}` : `${at.file}:${at.line}`;
}

/** `FILE:LINE:COL: message` (COL omitted when unknown; LINE too when 0). */
export function formatDiagnostic(d: Diagnostic): string {
  return `${formatLoc(d.at)}: ${d.message}`;
}

/** A diagnostic as lvsd -t and lvsctl reload print it: formatDiagnostic, warnings marked. */
export function diagnosticLine(d: ReportedDiagnostic): string {
  return d.severity === 'warning' ? `${formatDiagnostic(d)} (warning)` : formatDiagnostic(d);
}

/** By file, then line, then column; a stable sort, so equal places keep their order. */
export function sortDiagnostics<D extends Diagnostic>(ds: readonly D[]): D[] {
  return [...ds].sort((a, b) => a.at.file.localeCompare(b.at.file) || a.at.line - b.at.line || (a.at.col ?? 0) - (b.at.col ?? 0));
}
