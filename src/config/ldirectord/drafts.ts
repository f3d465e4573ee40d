/**
 * What the directive readers collect, before defaults and inheritance (build.ts). A field is
 * absent when the directive was not written; every value is already what ldirectord reads.
 */
import type { IpFamily, LdirectordDaemonState, Loc, NegotiateService } from '../../model/index.js';
import type { VirtualHead } from './address.js';
import type { Directive } from './blocks.js';
import type { LdForward } from './real.js';

export interface ResolvedFallback {
  readonly at: Loc;
  readonly address: string;
  /** Absent: each virtual's own port. */
  readonly port?: number;
  readonly forward: LdForward;
}

/** Directives that may be global (defaults) or per virtual (overrides). */
export interface SharedDraft {
  checkTimeoutS?: number;
  negotiateTimeoutS?: number;
  checkIntervalS?: { readonly value: number; readonly at: Loc };
  checkCount?: number;
  failureCount?: number;
  fallbackCommand?: readonly string[];
  quiescent?: boolean;
  cleanStop?: boolean;
  emailAlert?: readonly string[];
  emailAlertFreqS?: number;
  emailAlertStatus?: readonly LdirectordDaemonState[];
  smtp?: string;
}

export interface GlobalDraft extends SharedDraft {
  /** fallback= / fallback6=, resolved for both protocols as ldirectord does. */
  fallback4?: { readonly tcp: ResolvedFallback; readonly udp: ResolvedFallback };
  fallback6?: { readonly tcp: ResolvedFallback; readonly udp: ResolvedFallback };
  autoreload?: boolean;
  callback?: readonly string[];
  logfile?: string;
  execute: string[];
  fork?: boolean;
  supervised?: boolean;
  readdQuiescent?: boolean;
  emailAlertFrom?: string;
  maintenanceDir?: string;
}

export type CheckType = 'negotiate' | 'connect' | 'ping' | 'on' | 'off' | 'external' | 'external-perl' | { readonly combined: number };

export interface VirtualDraft extends SharedDraft {
  readonly at: Loc;
  readonly family: IpFamily;
  readonly head: VirtualHead;
  protocol: 'tcp' | 'udp' | 'fwm';
  protocolAt?: Loc;
  scheduler: string;
  persistentS?: number;
  netmask?: { readonly value: string; readonly at: Loc };
  schedFlags?: string;
  ops: boolean;
  opsAt?: Loc;
  /** Written service= (derived from the port at the end of the block otherwise). */
  service?: NegotiateService;
  /** A service= line was written (valid or not). */
  serviceWritten?: boolean;
  checkType: CheckType;
  checkTypeAt?: Loc;
  checkCommand: string;
  checkPort?: number;
  request: string;
  receive: string;
  login: string;
  passwd: string;
  database: string;
  secret: string;
  httpMethod: 'GET' | 'HEAD';
  virtualhost?: string;
  monitorFile?: string;
  serviceName?: string;
  comment?: string;
  /** Block fallback, resolved at the end of the block (it needs the protocol). */
  fallback?: { readonly directive: Directive; readonly host: string; readonly port?: string; readonly forward: LdForward };
  /** real= lines, parsed at the end of the block (as ldirectord does). */
  readonly reals: Directive[];
}
