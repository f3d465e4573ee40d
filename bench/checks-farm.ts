/**
 * The farm of bench/checks: ONE process serving every real server (one listening socket per
 * address, FARM_NET addresses on port 80), so the CPU the bench measures is the checkers', not
 * the servers'. Runs inside the farm namespace:
 *   node dist/bench/checks-farm.js SERVERS
 * Every connection gets "HTTP/1.0 200 OK" once its request head is in (HTTP_GET), or is closed
 * when the client closes first (TCP_CHECK). Commands on stdin, one JSON object per line:
 *   {"cmd":"kill","server":I,"mode":"reset"|"refuse"}  reset: connections to I are accepted and
 *        reset at once (RST), each one reported as an `attempt`; refuse: I's listener is closed
 *        (the kernel answers RST to the SYN: "connection refused"; attempts are not seen). Either
 *        way the connections I holds open end as a killed process's do: reset (RST) in reset
 *        mode, closed (FIN) in refuse mode. Only lvsd --watch-connections holds any between checks.
 *   {"cmd":"heal","server":I}      serve I again
 *   {"cmd":"counts"}               connections served per client address since the last counts
 * Events on stdout (t: CLOCK_MONOTONIC in ms, comparable across the guest's processes):
 *   ready, killed {server,t}, attempt {server,from,t}, healed {server,t}, counts {byClient}, error.
 */
import net from 'node:net';
import { createInterface } from 'node:readline';
import { FARM_PORT, farmAddress } from './checks-conf.js';

const nowMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;
const emit = (ev: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(ev)}\n`); };

const RESPONSE = 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n';
const MAX_HEAD = 8192;

const servers = Number(process.argv[2]);
if (!Number.isInteger(servers) || servers < 1) {
  process.stderr.write('usage: checks-farm.js SERVERS\n');
  process.exit(2);
}

const listeners = new Map<number, net.Server>();
/** server index → 'reset' while killed in reset mode */
const resetting = new Set<number>();
let counts = new Map<string, number>();
/** server index → its open connections */
const open = new Map<number, Set<net.Socket>>();

function serve(sock: net.Socket): void {
  let head = '';
  const from = sock.remoteAddress ?? '?';
  counts.set(from, (counts.get(from) ?? 0) + 1); // one connection = one check (TCP_CHECK sends nothing)
  sock.on('error', () => sock.destroy());
  sock.on('data', (b: Buffer) => {
    head += b.toString('latin1');
    if (head.includes('\r\n\r\n')) sock.end(RESPONSE);
    else if (head.length > MAX_HEAD) sock.destroy();
  });
  sock.on('end', () => sock.end());
}

function listen(i: number): Promise<void> {
  const srv = net.createServer({ noDelay: true }, (sock) => {
    if (!resetting.has(i)) {
      const set = open.get(i) ?? new Set<net.Socket>();
      open.set(i, set.add(sock));
      sock.on('close', () => set.delete(sock));
      return serve(sock);
    }
    emit({ ev: 'attempt', server: i, from: sock.remoteAddress ?? '?', t: nowMs() });
    sock.on('error', () => undefined);
    sock.resetAndDestroy();
  });
  listeners.set(i, srv);
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ host: farmAddress(i), port: FARM_PORT, backlog: 1024 }, () => {
      srv.off('error', reject);
      resolve();
    });
  });
}

async function command(line: string): Promise<void> {
  const c = JSON.parse(line) as { cmd: string; server?: number; mode?: string };
  const i = c.server ?? -1;
  switch (c.cmd) {
    case 'kill':
      if (c.mode === 'refuse') listeners.get(i)?.close(); // the fd is closed before close() returns
      else resetting.add(i);
      for (const sock of open.get(i) ?? []) {
        if (c.mode === 'refuse') sock.destroy();
        else sock.resetAndDestroy();
      }
      emit({ ev: 'killed', server: i, t: nowMs() });
      return;
    case 'heal':
      if (resetting.delete(i)) return emit({ ev: 'healed', server: i, t: nowMs() });
      await listen(i);
      emit({ ev: 'healed', server: i, t: nowMs() });
      return;
    case 'counts':
      emit({ ev: 'counts', byClient: Object.fromEntries(counts) });
      counts = new Map();
      return;
    default:
      emit({ ev: 'error', message: `unknown command ${c.cmd}` });
  }
}

for (let i = 0; i < servers; i++) await listen(i);
let chain = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  chain = chain.then(() => command(line)).catch((e: Error) => emit({ ev: 'error', message: e.message }));
}).on('close', () => process.exit(0));
emit({ ev: 'ready', servers, t: nowMs() });
