/**
 * service=mysql and pgsql, as ldirectord 4.12 check_sql (DBI with DBD::mysql / DBD::Pg), with
 * mysql2 and pg: connect to the real server with `login`, `passwd` and `database`, run
 * `request` without its leading "/" as the query; up when it returns at least one row (for a
 * statement that returns no rows, when it affected one). A login and a request are required
 * (ldirectord logs and keeps the server down without them).
 * Differs, on purpose: ldirectord applies no timeout at all to these checks (one hung database
 * stalls every check); here the attempt's deadline (negotiatetimeout) ends them. ldirectord runs
 * the query twice and counts the second run; lvsd runs it once. No TLS (DBI's defaults).
 * mysql2 and pg load on the first check that needs them: a director without these checks never
 * pays for their modules (pg also pulls in node's fetch/undici, which needs WebAssembly).
 */
import type { AttemptSpec } from '../../checker.js';
import type { NegotiateProbe } from '../../../model/index.js';
import { describeError, type Outcome } from '../outcome.js';

/** Rows of a mysql2 result: an array of rows for a SELECT, an OkPacket (affectedRows) otherwise. */
export function mysqlRows(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  if (typeof result === 'object' && result !== null && 'affectedRows' in result && typeof result.affectedRows === 'number') return result.affectedRows;
  return 0;
}

async function queryMysql(spec: AttemptSpec, p: NegotiateProbe, query: string, out: Outcome): Promise<number> {
  const { default: mysql } = await import('mysql2/promise');
  if (out.done) return 0;
  const conn = await mysql.createConnection({
    host: spec.address, port: spec.port, user: p.login, password: p.passwd,
    ...(p.database !== '' ? { database: p.database } : {}), connectTimeout: spec.timeoutMs,
  });
  out.release(() => conn.destroy());
  const [result] = await conn.query(query);
  return mysqlRows(result);
}

async function queryPg(spec: AttemptSpec, p: NegotiateProbe, query: string, out: Outcome): Promise<number> {
  // pg reads the global Response at load: node's fetch (undici) then compiles WebAssembly in a
  // promise nobody awaits, which kills a process run with --jitless (no WebAssembly).
  if (!('WebAssembly' in globalThis)) throw new Error('pg needs WebAssembly (node runs with --jitless)');
  const { default: pg } = await import('pg');
  if (out.done) return 0;
  const client = new pg.Client({
    host: spec.address, port: spec.port, user: p.login, password: p.passwd,
    ...(p.database !== '' ? { database: p.database } : {}), connectionTimeoutMillis: spec.timeoutMs,
  });
  // The attempt ended (deadline or cancel): close; an error while closing has no one left to tell.
  out.release(() => void client.end().catch((e: unknown) => e));
  client.on('error', (e) => out.failWith(e, 'PostgreSQL'));
  await client.connect();
  const r = await client.query(query);
  return r.rowCount ?? r.rows.length;
}

export async function checkSql(spec: AttemptSpec, p: NegotiateProbe, out: Outcome): Promise<void> {
  const query = p.request.replace(/^\//, '');
  const name = p.service === 'mysql' ? 'MySQL' : 'PostgreSQL';
  if (p.login === '' || query === '') return out.fail('error', `${name} check needs a login and a request (ldirectord keeps the server down without them)`);
  try {
    const rows = await (p.service === 'mysql' ? queryMysql(spec, p, query, out) : queryPg(spec, p, query, out));
    if (rows > 0) out.pass(`${name}: ${rows} row${rows === 1 ? '' : 's'}`);
    else out.fail('content', `${name}: no rows from ${JSON.stringify(query)}`);
  } catch (e) {
    const d = describeError(e);
    // pg rejects with a plain "timeout expired" Error when connectionTimeoutMillis passes.
    const timedOut = d.reason === 'error' && /timeout/i.test(d.detail);
    out.fail(timedOut ? 'timeout' : d.reason === 'error' ? 'status' : d.reason, `${name}: ${d.detail}`, d.errno);
  }
}
