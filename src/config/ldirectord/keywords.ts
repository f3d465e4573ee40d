/**
 * Every directive name ldirectord 4.12 knows, and where it may be written. "both" directives
 * may appear at column 0 (a global default) and inside a virtual block (an override for that
 * block). The readers of each directive are in global-directives.ts and virtual-directives.ts.
 */

export type Scope = 'global' | 'block' | 'both';

export const SCOPES: Readonly<Record<string, Scope>> = {
  // global only
  autoreload: 'global', callback: 'global', logfile: 'global', execute: 'global', fork: 'global',
  supervised: 'global', readdquiescent: 'global', emailalertfrom: 'global', maintenancedir: 'global',
  timeout: 'global',
  // block starters (column 0)
  virtual: 'global', virtual6: 'global',
  // both: global defaults a block may override
  checktimeout: 'both', negotiatetimeout: 'both', connecttimeout: 'both', checkinterval: 'both', checkcount: 'both',
  failurecount: 'both', fallback: 'both', fallback6: 'both', fallbackcommand: 'both', quiescent: 'both',
  cleanstop: 'both', emailalert: 'both', emailalertfreq: 'both', emailalertstatus: 'both', smtp: 'both',
  // block only
  real: 'block', real6: 'block', request: 'block', receive: 'block', checktype: 'block', checkcommand: 'block',
  checkport: 'block', login: 'block', passwd: 'block', database: 'block', secret: 'block', load: 'block',
  scheduler: 'block', persistent: 'block', schedflags: 'block', netmask: 'block', protocol: 'block', ops: 'block',
  service: 'block', httpmethod: 'block', virtualhost: 'block', monitorfile: 'block', servicename: 'block',
  comment: 'block',
};

export function scopeOf(name: string): Scope | undefined {
  return Object.hasOwn(SCOPES, name) ? SCOPES[name] : undefined;
}

export function allowedAtTop(name: string): boolean {
  const s = scopeOf(name);
  return s === 'global' || s === 'both';
}

export function allowedInBlock(name: string): boolean {
  const s = scopeOf(name);
  return s === 'block' || s === 'both';
}

export const KNOWN_NAMES: readonly string[] = Object.keys(SCOPES);
