/**
 * Errors are values for bad input and throws only for bugs (docs/design.md "Errors").
 * Every error carries a stable `code`; kernel errors keep the numeric errno.
 *
 * errno is POSITIVE everywhere in lvsd (ESRCH = 3), as the kernel's errno(3) values and Node's
 * `os.constants.errno` table are, and as netlink's nlmsgerr.error is once negated. Node's own
 * SystemError (fs, net, dgram) carries it NEGATIVE (libuv's convention, -3); such a number is
 * turned positive where it enters lvsd (`errnoOfSystemError`), and the C addon reports
 * positive values itself (native/README.md).
 */
import { type Diagnostic, formatDiagnostic } from './model/index.js';

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

export interface KernelErrorFields {
  /** What was attempted: 'add real server', 'send VRRP'. */
  readonly op: string;
  /** On what: '10.0.0.2:80 to TCP 192.0.2.10:80', 'eth0 (IPv4)'. */
  readonly target: string;
  /** Positive (see the header). */
  readonly errno: number;
  /** 'ESRCH'. */
  readonly code: string;
  readonly syscall: string;
  /** Why, for an operator: 'no such virtual service'. */
  readonly meaning: string;
}

/** A kernel (netlink, syscall) or ipvsadm failure, shaped like Node's system errors. */
export class KernelError extends LvsdError {
  readonly op: string;
  readonly target: string;
  readonly errno: number;
  readonly syscall: string;
  readonly meaning: string;
  constructor(o: KernelErrorFields & { cause?: unknown }) {
    super(o.code, `${o.op} ${o.target}: ${o.meaning} (${o.code})`, { cause: o.cause });
    this.name = 'KernelError';
    this.op = o.op;
    this.target = o.target;
    this.errno = o.errno;
    this.syscall = o.syscall;
    this.meaning = o.meaning;
  }
}

/** A control-socket failure (lvsd not running, refused, protocol error). */
export class ControlError extends LvsdError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ControlError';
  }
}

/** The positive errno of a Node SystemError (whose `errno` is negative), or undefined when `e` has none. */
export function errnoOfSystemError(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null || !('errno' in e) || typeof e.errno !== 'number') return undefined;
  return Math.abs(e.errno);
}

/**
 * An error as it crosses a thread boundary (the VRRP worker posts these): structured clone
 * keeps neither the class nor own properties of an Error, so the fields travel as data.
 */
export interface WireError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  /** KernelError only (all five together). */
  readonly kernel?: KernelErrorFields;
}

/** The one way an error leaves a thread. Non-lvsd errors keep their code when they have one ('EINTERNAL' when not: a bug). */
export function serializeError(e: unknown): WireError {
  if (e instanceof KernelError) {
    const { op, target, errno, code, syscall, meaning } = e;
    return { name: e.name, code, message: e.message, kernel: { op, target, errno, code, syscall, meaning } };
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, code: typeof code === 'string' ? code : 'EINTERNAL', message: e.message };
  }
  return { name: 'Error', code: 'EINTERNAL', message: String(e) };
}

/** The one way an error enters a thread: a KernelError again when it was one, else an LvsdError with the same code and message. */
export function deserializeError(w: WireError): LvsdError {
  if (w.kernel !== undefined) return new KernelError(w.kernel);
  const e = new LvsdError(w.code, w.message);
  e.name = w.name;
  return e;
}

/** Result type for decoders and parsers that must not throw on hostile input. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
