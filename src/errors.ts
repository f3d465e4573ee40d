/**
 * Errors are values for bad input and throws only for bugs (STYLE.md §2).
 * Every error carries a stable `code`; kernel errors keep the numeric errno.
 */
import type { Diagnostic } from './model/types.js';

export class LvsdError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LvsdError';
    this.code = code;
  }
}

/** A configuration that failed to parse or validate; carries every problem found. */
export class ConfigError extends LvsdError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super('ECONFIG', diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ConfigError';
    this.diagnostics = diagnostics;
  }
}

/** A kernel (netlink, syscall) or ipvsadm failure, shaped like Node's system errors. */
export class KernelError extends LvsdError {
  readonly op: string;
  readonly target: string;
  readonly errno: number;
  readonly syscall: string;
  constructor(o: { op: string; target: string; errno: number; code: string; syscall: string; meaning: string; cause?: unknown }) {
    super(o.code, `${o.op} ${o.target}: ${o.meaning} (${o.code})`, { cause: o.cause });
    this.name = 'KernelError';
    this.op = o.op;
    this.target = o.target;
    this.errno = o.errno;
    this.syscall = o.syscall;
  }
}

/** A control-socket failure (lvsd not running, refused, protocol error). */
export class ControlError extends LvsdError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ControlError';
  }
}

/** `FILE:LINE:COL: message` (COL omitted when unknown). */
export function formatDiagnostic(d: Diagnostic): string {
  const col = d.at.col !== undefined ? `:${d.at.col}` : '';
  return `${d.at.file}:${d.at.line}${col}: ${d.message}`;
}

/** Result type for decoders and parsers that must not throw on hostile input. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
