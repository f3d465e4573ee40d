/**
 * Test support for the negotiate checks (imported only by *.test.ts): a probe with ldirectord's
 * defaults (its deadlines generous, below), one attempt under its deadline as the engine runs it, and
 * a scripted FTP server.
 */
import { once } from 'node:events';
import net from 'node:net';
import { monotonicClock } from '../../../clock.js';
import type { AttemptResult, Checker } from '../../checker.js';
import { runAttempt } from '../../run-attempt.js';
import { nodeTimers } from '../../timers.js';
import type { NegotiateProbe } from '../../../model/index.js';

/**
 * Deadlines are generous where they are not what a test checks: on a loaded machine (load 10 on
 * 2 cores) a loopback exchange can take a second. A test that expects a timeout passes a short one.
 */
const GENEROUS_MS = 10_000;

export function probe(o: Partial<NegotiateProbe> = {}): NegotiateProbe {
  return {
    kind: 'negotiate', service: 'simpletcp', request: '/', receive: '', method: 'GET', login: '', passwd: '', database: '', secret: '',
    transport: 'tcp', connectBetween: 0, connectTimeoutMs: GENEROUS_MS, ...o,
  };
}

export function attempt(c: Checker, port: number, p: NegotiateProbe, timeoutMs = GENEROUS_MS, address = '127.0.0.1'): Promise<AttemptResult> {
  return runAttempt(c, { probe: p, address, port, target: {}, timeoutMs }, { clock: monotonicClock, timers: nodeTimers }).result;
}

export interface FtpServer {
  readonly port: number;
  /** Commands received, in order. */
  readonly commands: string[];
  close(): void;
}

/** An FTP server on 127.0.0.1: `files` by RETR argument; `password` required when given; greeting as set. */
export async function ftpServer(o: { files: Record<string, string>; password?: string; greeting?: string }): Promise<FtpServer> {
  const commands: string[] = [];
  const socks = new Set<net.Socket>();
  const servers: net.Server[] = [];
  const srv = net.createServer((sock) => {
    socks.add(sock);
    sock.on('close', () => socks.delete(sock));
    sock.write(`${o.greeting ?? '220 fake FTP'}\r\n`);
    let data: Promise<net.Socket> | undefined;
    let buf = '';
    sock.setEncoding('latin1').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        commands.push(line);
        const [cmd = '', ...rest] = line.split(' ');
        const arg = rest.join(' ');
        if (cmd === 'USER') sock.write('331 password please\r\n');
        else if (cmd === 'PASS') sock.write(o.password === undefined || o.password === arg ? '230 in\r\n' : '530 no\r\n');
        else if (cmd === 'CWD') sock.write('250-changed\r\n250 ok\r\n');
        else if (cmd === 'TYPE') sock.write('200 binary\r\n');
        else if (cmd === 'PASV') {
          const ds = net.createServer().listen(0, '127.0.0.1');
          servers.push(ds);
          data = once(ds, 'connection').then(([s]) => s as net.Socket);
          void once(ds, 'listening').then(() => {
            const a = ds.address();
            const p = typeof a === 'object' && a !== null ? a.port : 0;
            sock.write(`227 Entering Passive Mode (10,9,8,7,${p >> 8},${p & 255}).\r\n`);
          });
        } else if (cmd === 'RETR') {
          const content = o.files[arg];
          if (content === undefined || data === undefined) sock.write('550 no such file\r\n');
          else {
            sock.write('150 here it comes\r\n');
            void data.then((s) => s.end(content, () => sock.write('226 done\r\n')));
          }
        } else if (cmd === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('502 what\r\n');
      }
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const a = srv.address();
  return {
    port: typeof a === 'object' && a !== null ? a.port : 0,
    commands,
    close: () => {
      for (const s of socks) s.destroy();
      for (const s of [srv, ...servers]) s.close();
    },
  };
}
