/**
 * ldirectord's service= → the negotiate check that speaks it (ldirectord 4.12 _check_real's
 * dispatch). One function per protocol, each in its own file; each reports through the
 * attempt's Outcome and never throws (the dispatcher turns a bug into an `error` result).
 */
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe, NegotiateService } from '../../../model/index.js';
import type { Outcome } from '../outcome.js';
import { checkDns } from './dns.js';
import { checkFtp } from './ftp.js';
import { checkHttp } from './http.js';
import { checkImap } from './imap.js';
import { checkLdap } from './ldap.js';
import { checkNntp } from './nntp.js';
import { checkPop } from './pop.js';
import { checkRadius } from './radius.js';
import { checkSimpletcp } from './simpletcp.js';
import { checkSip } from './sip.js';
import { checkSmtp } from './smtp.js';
import { checkSql } from './sql.js';

export type ServiceCheck = (spec: AttemptSpec, p: NegotiateProbe, out: Outcome) => void | Promise<void>;

/** ldirectord check_none: service none is up without any traffic. */
const none: ServiceCheck = (_s, _p, out) => out.pass('service none: not checked');

/** service=oracle needs Oracle's client library (DBD::Oracle in ldirectord); lvsd has none. */
const oracle: ServiceCheck = (_s, _p, out) => out.fail('error', 'service=oracle is not supported by lvsd (no Oracle client); use checktype=connect or external');

export const SERVICE_CHECKS: Readonly<Record<NegotiateService, ServiceCheck>> = {
  http: checkHttp, https: checkHttp, http_proxy: checkHttp,
  ftp: checkFtp,
  smtp: checkSmtp, submission: checkSmtp,
  pop: checkPop, pops: checkPop,
  imap: checkImap, imaps: checkImap,
  ldap: checkLdap, ldaps: checkLdap,
  nntp: checkNntp,
  dns: checkDns,
  sip: checkSip,
  radius: checkRadius,
  mysql: checkSql, pgsql: checkSql,
  oracle,
  simpletcp: checkSimpletcp,
  none,
};
