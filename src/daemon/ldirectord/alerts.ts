/**
 * ldirectord's e-mail alerts, pure (4.12 _restore_service, _remove_service,
 * ld_emailalert_send, ld_emailalert_resend, ld_emailalert_mail_send). ldirectord mails what it
 * does to IPVS; lvsd derives the same sentences from two consecutive tables it programs:
 *
 *   absent → present          "Added real server: RIP:RPORT (VIP:VPORT) (Weight set to W)"
 *   weight W1 → W2 (W2 > 0)   "Restored real server: ... (Weight set to W2)"
 *   weight W → 0              "Quiescent real server: ... (Weight set to 0)"
 *   present → absent          "Deleted real server: RIP:RPORT (VIP:VPORT)"
 *
 * ("fallback server" for the fallback; a firewall-mark service is named by its mark.) A real
 * server going down (Quiescent, Deleted) is remembered; with emailalertfreq > 0 it is mailed
 * again as "Inaccessible real server: RIP:RPORT (VIRTUAL)" every emailalertfreq seconds until
 * it comes back. Services added or removed by a reload are not mailed about.
 */
import type { LdirectordDaemonState, VirtualService } from '../../model/index.js';
import { hostPort, realId, serviceId } from '../../health/index.js';

export interface Dest {
  readonly weight: number;
  readonly fallback: boolean;
}

export interface ServiceView {
  readonly vs: VirtualService;
  readonly dests: ReadonlyMap<string, Dest>;
}

/** The programmed table by service id. */
export type TableView = ReadonlyMap<string, ServiceView>;

export interface Alert {
  readonly service: string;
  /** ldirectord's resend key: "RIP:RPORT (VIRTUAL)". */
  readonly id: string;
  /** Without the [servicename] prefix. */
  readonly subject: string;
  /** remember: a real server went down (resent with emailalertfreq); forget: it is back, or a fallback change. */
  readonly resend: 'remember' | 'forget';
}

/** get_virtual: VIP:VPORT (IPv6 in brackets) or the firewall mark. */
export function virtualText(vs: VirtualService): string {
  return vs.key.kind === 'fwmark' ? String(vs.key.fwmark) : hostPort(vs.key.address, vs.key.port);
}

export function tableView(services: readonly VirtualService[]): TableView {
  const out = new Map<string, ServiceView>();
  for (const vs of services) {
    const sorry = vs.sorry ? realId(vs.sorry.server) : undefined;
    const dests = new Map<string, Dest>();
    for (const rs of vs.reals) dests.set(realId(rs), { weight: rs.weight, fallback: realId(rs) === sorry });
    out.set(serviceId(vs.key), { vs, dests });
  }
  return out;
}

function alertOf(real: string, v: ServiceView, d: { before?: Dest; after?: Dest }): Alert | undefined {
  const fallback = (d.after ?? d.before)?.fallback === true;
  const id = `${real} (${virtualText(v.vs)})`;
  const what = `${fallback ? 'fallback' : 'real'} server: ${id}`;
  const base = { service: serviceId(v.vs.key), id };
  if (d.before === undefined && d.after !== undefined) return { ...base, subject: `Added ${what} (Weight set to ${d.after.weight})`, resend: 'forget' };
  if (d.before !== undefined && d.after === undefined) return { ...base, subject: `Deleted ${what}`, resend: fallback ? 'forget' : 'remember' };
  if (d.before === undefined || d.after === undefined || d.before.weight === d.after.weight) return undefined;
  if (d.after.weight === 0) return { ...base, subject: `Quiescent ${what} (Weight set to 0)`, resend: fallback ? 'forget' : 'remember' };
  return { ...base, subject: `Restored ${what} (Weight set to ${d.after.weight})`, resend: 'forget' };
}

/** What changed from `before` to `after`, in service then server order; services only in one table are skipped. */
export function tableAlerts(before: TableView, after: TableView): Alert[] {
  const out: Alert[] = [];
  for (const [svc, a] of after) {
    const b = before.get(svc);
    if (b === undefined) continue;
    for (const real of new Set([...b.dests.keys(), ...a.dests.keys()])) {
      const d = { before: b.dests.get(real), after: a.dests.get(real) };
      const alert = alertOf(real, a, { ...(d.before ? { before: d.before } : {}), ...(d.after ? { after: d.after } : {}) });
      if (alert !== undefined) out.push(alert);
    }
  }
  return out;
}

/** Real servers remembered as down: id → service and when last mailed (ms since the epoch). */
export type Resends = Map<string, { readonly service: string; atMs: number }>;

/** ld_emailalert_send's bookkeeping: remember with a frequency, forget otherwise. */
export function noteAlert(resends: Resends, a: Alert, o: { freqS: number; nowMs: number }): void {
  if (a.resend === 'forget' || o.freqS === 0) resends.delete(a.id);
  else resends.set(a.id, { service: a.service, atMs: o.nowMs });
}

/** ld_emailalert_resend: the ids due again (their time is reset to now). */
export function dueResends(resends: Resends, o: { freqS: (service: string) => number | undefined; nowMs: number }): Alert[] {
  const out: Alert[] = [];
  for (const [id, r] of resends) {
    const freq = o.freqS(r.service);
    if (freq === undefined || freq === 0) {
      resends.delete(id);
      continue;
    }
    if (o.nowMs - r.atMs < freq * 1000) continue;
    r.atMs = o.nowMs;
    out.push({ service: r.service, id, subject: `Inaccessible real server: ${id}`, resend: 'remember' });
  }
  return out;
}

export interface AlertMail {
  readonly to: readonly string[];
  readonly from?: string;
  readonly serviceName?: string;
  readonly comment?: string;
  readonly host: string;
  readonly state: LdirectordDaemonState;
}

/** The message as ldirectord's Mail::Send writes it (headers, blank line, body), for sendmail -t. */
export function alertMessage(subject: string, m: AlertMail): string {
  const subj = m.serviceName ? `[${m.serviceName}] ${subject}` : subject;
  const extra = `${m.serviceName ? `Service name: ${m.serviceName}\n` : ''}${m.comment ? `Comment: ${m.comment}\n` : ''}`;
  const headers = [`To: ${m.to.join(', ')}`, ...(m.from ? [`From: ${m.from}`] : []), `Subject: ${subj}`];
  const body = `ldirectord host: ${m.host}\nLog-Message: ${subj}\nDaemon-Status: ${m.state}\n${extra ? `\n${extra}\n` : ''}`;
  return `${headers.join('\n')}\n\n${body}`;
}
