/**
 * keepalived global_defs `lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]` (keepalived 2.2.7
 * core/global_parser.c lvs_timeouts): at least one option; each value 0..31 days
 * (LVS_MAX_TIMEOUT), 0 leaving that timeout as the kernel has it (ip_vs_ctl.c
 * ip_vs_set_timeout sets only non-zero values). keepalived reports an unknown option or a bad
 * value and goes on; lvsd refuses both at the offending word.
 */
import type { IpvsConnTimeouts } from '../../model/index.js';
import { bad, int } from '../values.js';
import { error, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';

/** keepalived include/global_data.h LVS_MAX_TIMEOUT: 31 days. */
export const LVS_MAX_TIMEOUT_S = 86_400 * 31;

const FIELDS = { tcp: 'tcpS', tcpfin: 'tcpFinS', udp: 'udpS' } as const;

export function parseLvsTimeouts(s: Stmt, sink: Sink): IpvsConnTimeouts | undefined {
  const out: { -readonly [K in keyof IpvsConnTimeouts]: IpvsConnTimeouts[K] } = {};
  let ok = true;
  for (let n = 0; n < s.args.length; n += 2) {
    const name = s.args[n];
    const value = s.args[n + 1];
    if (name === undefined) break;
    const field = name.text === 'tcp' || name.text === 'tcpfin' || name.text === 'udp' ? FIELDS[name.text] : undefined;
    if (field === undefined) {
      bad(sink, name, 'an lvs_timeouts option (tcp, tcpfin or udp)');
      ok = false;
      continue;
    }
    if (value === undefined) {
      error(sink, name.at, `expected a value in seconds after "${name.text}", got none`);
      ok = false;
      continue;
    }
    const v = int(sink, value, { what: `an lvs_timeouts ${name.text} value in seconds`, min: 0, max: LVS_MAX_TIMEOUT_S });
    if (v === undefined) ok = false;
    else if (v > 0) out[field] = v;
  }
  return ok ? out : undefined;
}
