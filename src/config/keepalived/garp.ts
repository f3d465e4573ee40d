/**
 * keepalived.conf gratuitous ARP / unsolicited NA keywords → GarpDraft, shared by global_defs
 * (`vrrp_garp_*`, `vrrp_garp_interval`, `vrrp_gna_interval`) and vrrp_instance (`garp_*`,
 * `garp_interval`, `gna_interval`). Bounds and corrections as keepalived 2.2.7's vrrp_parser.c.
 */
import type { GarpDraft } from '../instance.js';
import { kw, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { decimalSecondsUs, int } from '../values.js';
import { correctedValue } from './corrected-value.js';

/** keepalived reads these as unsigned, delays up to UINT_MAX / TIMER_HZ seconds, and ignores (reporting) anything else. */
const UINT_MAX = 4_294_967_295;
const DELAY_MAX_S = Math.floor(UINT_MAX / 1e6);
/** lvsd's own bound on a GARP repeat count (keepalived's is UINT_MAX). */
const REPEAT_MAX = 255;

export function garpKeywords<A extends { garp: GarpDraft }>(prefix: '' | 'vrrp_'): Keyword<A>[] {
  const seconds = (field: 'masterDelayMs' | 'masterRefreshMs' | 'lowerPrioDelayMs') => (s: Stmt, a: A, sink: Sink): void => {
    const w = s.args[0];
    const v = w && correctedValue(sink, 'it is ignored', (l) => int(l, w, { what: `"${s.keyword.text}" in whole seconds`, min: 0, max: DELAY_MAX_S }));
    if (v !== undefined) a.garp[field] = v * 1000;
  };
  const count = (field: 'masterRepeat' | 'refreshRepeat' | 'lowerPrioRepeat') => (s: Stmt, a: A, sink: Sink): void => {
    const w = s.args[0];
    const read = w && correctedValue(sink, 'it is ignored', (l) => int(l, w, { what: `a "${s.keyword.text}" count`, min: 0, max: UINT_MAX }));
    const v = w && read !== undefined ? int(sink, w, { what: `a "${s.keyword.text}" count`, min: 0, max: REPEAT_MAX }) : undefined;
    if (v === undefined) return;
    // keepalived: 0 turns the lower-priority GARPs off; for the others it means 1
    if (field === 'lowerPrioRepeat') {
      a.garp[field] = v;
      return;
    }
    if (w && v === 0) sink.warnings.push({ at: w.at, message: `${s.keyword.text} 0 means 1: keepalived 2.2.7 sets it to 1 and reports it` });
    a.garp[field] = Math.max(1, v);
  };
  return [
    kw(`${prefix}garp_master_delay`, 1, seconds('masterDelayMs')),
    kw(`${prefix}garp_master_repeat`, 1, count('masterRepeat')),
    kw(`${prefix}garp_master_refresh`, 1, seconds('masterRefreshMs')),
    kw(`${prefix}garp_master_refresh_repeat`, 1, count('refreshRepeat')),
    kw(`${prefix}garp_lower_prio_delay`, 1, seconds('lowerPrioDelayMs')),
    kw(`${prefix}garp_lower_prio_repeat`, 1, count('lowerPrioRepeat')),
  ];
}

/** vrrp_garp_interval_handler: keepalived ignores (and reports) anything but 0.000001 s to UINT_MAX µs; lvsd bounds it at 1 s. */
export const packetGap = (s: Stmt, a: { garp: GarpDraft }, sink: Sink): void => {
  const w = s.args[0];
  const read = w && correctedValue(sink, 'it is ignored', (l) => decimalSecondsUs(l, w, { what: `a "${s.keyword.text}"`, minUs: 1, maxUs: UINT_MAX }));
  const us = w && read !== undefined ? decimalSecondsUs(sink, w, { what: `a "${s.keyword.text}"`, minUs: 0, maxUs: 1e6 }) : undefined;
  if (us !== undefined) a.garp.intervalMs = us / 1000;
};
