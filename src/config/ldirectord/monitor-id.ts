/**
 * The name of a real server in ldirectord's monitorfile lines (pure). ldirectord 4.12
 * service_set writes `[TIME] [PID] NAME [up|down] MESSAGE` where NAME is the real server's
 * identity (get_real_id_str):
 *   CHECK:PROTOCOL:SERVER:PORT:VIRTUALHOST:CHECKPORT:WEIGHT:FORWARD:quotemeta(REQUEST):quotemeta(RECEIVE)
 * (CHECK = `negotiate:SERVICE`, `combined:SERVICE` for checktype N, `external:COMMAND`, or the
 * checktype) with every run of ':' turned into one space (tr/:/ /s) and every backslash removed
 * (quotemeta's escapes, and the request's own). The request and receive are the real server's
 * when it gives both, else its request or the virtual's and the virtual's receive (ld_setup).
 * PORT is the port as written on the real= line, "" when none was.
 */
import type { NegotiateService } from '../../model/index.js';
import type { VirtualDraft } from './drafts.js';
import type { RealDraft } from './real.js';

/** Perl quotemeta: a backslash before every character that is not a word character. */
function quotemeta(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '\\$&');
}

function checkText(v: VirtualDraft, service: NegotiateService): string {
  const t = v.checkType;
  if (typeof t === 'object') return `combined:${service}`;
  if (t === 'negotiate') return `negotiate:${service}`;
  if (t === 'external' || t === 'external-perl') return `${t}:${v.checkCommand}`;
  return t;
}

export function monitorName(v: VirtualDraft, service: NegotiateService, r: RealDraft): string {
  const own = r.request !== undefined && r.receive !== undefined;
  const request = own ? r.request ?? '' : r.request ?? v.request;
  const receive = own ? r.receive ?? '' : v.receive;
  const id = [
    checkText(v, service), v.protocol, r.address, r.port > 0 ? String(r.port) : '', v.virtualhost ?? '', v.checkPort !== undefined ? String(v.checkPort) : '',
    String(r.weight), r.forward, quotemeta(request), quotemeta(receive),
  ].join(':');
  return id.replace(/:+/g, ' ').replace(/\\/g, '');
}
