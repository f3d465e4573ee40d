/**
 * Values keepalived 2.2.7 replaces or ignores when they are invalid, and reports: lvsd does the
 * same with a warning at the value (`--strict` makes it an error).
 */
import { newSink, type Sink } from '../keywords.js';

const AS_KEEPALIVED = 'as keepalived 2.2.7 does (and reports)';

/**
 * Reads a value as keepalived 2.2.7 does where it replaces or ignores a bad one and reports it
 * (vrrp_parser.c: "Priority not valid! ... Using default 100", "unknown state ..., defaulting to
 * BACKUP", "... invalid - ignoring"): the error `read` reports becomes a warning at the value,
 * ending with what keepalived does instead (`instead`: "priority 100 is used").
 */
export function correctedValue<T>(sink: Sink, instead: string, read: (s: Sink) => T | undefined): T | undefined {
  const local = newSink();
  const v = read(local);
  sink.warnings.push(...local.warnings, ...local.errors.map((d) => ({ at: d.at, message: `${d.message}: ${instead}, ${AS_KEEPALIVED}` })));
  return v;
}
