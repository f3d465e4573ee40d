/** Locations and diagnostics: where a config node came from, and what is wrong there. */

/** A place in a config file. Lines and columns are 1-based. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly col?: number;
}

export interface Diagnostic {
  readonly at: Loc;
  readonly message: string;
}
