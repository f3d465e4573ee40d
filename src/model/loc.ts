/** Locations and diagnostics: where a config node came from, and what is wrong there. */

/** A place in a config file. Lines and columns are 1-based. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly col?: number;
}

/** 'error' stops a load (or a reload); 'warning' is reported and the load goes on. */
export type Severity = 'error' | 'warning';

/**
 * One problem found in a config file, located. The front-ends report it in their errors or their
 * warnings list and leave `severity` out: the list says it. readConfig (src/daemon/read-config.ts),
 * where a config's problems leave for the log, the control socket and lvsd -t, sets it from the
 * list: what leaves is a ReportedDiagnostic.
 */
export interface Diagnostic {
  readonly at: Loc;
  readonly message: string;
  readonly severity?: Severity;
}

/**
 * A diagnostic as it travels to the log, the control socket (a reload's result) and lvsd -t:
 * file, line, column, severity, message as values; formatted as text only where printed
 * (`formatDiagnostic` in src/errors.ts: `FILE:LINE:COL: message`).
 */
export interface ReportedDiagnostic extends Diagnostic {
  readonly severity: Severity;
}
