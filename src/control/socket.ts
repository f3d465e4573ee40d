/**
 * The control socket: lvsd's server side and lvsctl's client side of protocol.ts.
 *
 * Root only: the socket's directory is created 0700 when lvsd creates it, and the socket is
 * chmod 0600 right after listen(). (Node has no per-call umask and umask is process-wide, so
 * there is a short window before the chmod; the 0700 directory covers it.)
 * A socket file left by a killed lvsd is removed on start, but only when nothing answers on it;
 * a live lvsd on the same path makes the second one refuse to start.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync, type Stats } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { ControlError, LvsdError } from '../errors.js';
import { SerialQueue } from '../serial-queue.js';
import {
  MAX_LINE_BYTES,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ControlHandlers,
  type ControlMethod,
  type ControlRequest,
  type ControlResponse,
  type ParamsOf,
  type ResultOf,
} from './protocol.js';

export interface ControlServerOptions {
  readonly path: string;
  readonly handlers: ControlHandlers;
  /** Connection-level errors (a client that vanished); the server keeps running. */
  readonly onError?: (e: Error) => void;
}

export class ControlServer {
  private server: Server | undefined;
  private readonly conns = new Set<Socket>();
  private ino: number | undefined;

  constructor(private readonly o: ControlServerOptions) {}

  /** Creates the directory and the socket; rejects with ControlError when another lvsd answers. */
  async listen(): Promise<void> {
    ensurePrivateDir(dirname(this.o.path));
    await removeStaleSocket(this.o.path);
    const server = createServer((c) => this.onConnection(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(this.o.path, 0o600);
    this.ino = lstatSync(this.o.path).ino;
    this.server = server;
  }

  /** Stops accepting, drops open connections, and removes the socket file if it is still ours. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    for (const c of this.conns) c.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const st = lstatOrUndefined(this.o.path);
    if (st !== undefined && st.ino === this.ino) unlinkSync(this.o.path);
  }

  private onConnection(c: Socket): void {
    this.conns.add(c);
    c.setEncoding('utf8');
    let buffered = '';
    const answers = new SerialQueue();
    c.on('data', (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        answers.run(() => this.answer(c, line)).catch((e: unknown) => this.o.onError?.(e instanceof Error ? e : new Error(String(e))));
        nl = buffered.indexOf('\n');
      }
      if (Buffer.byteLength(buffered) > MAX_LINE_BYTES) {
        const error = { code: 'EMSGSIZE', message: `request longer than ${MAX_LINE_BYTES} bytes` };
        c.end(encodeResponse({ id: null, ok: false, error }));
        buffered = '';
      }
    });
    c.on('error', (e) => this.o.onError?.(e));
    c.on('close', () => this.conns.delete(c));
  }

  /** Requests on one connection are answered in order. */
  private async answer(c: Socket, line: string): Promise<void> {
    if (line.trim() === '') return;
    const r = decodeRequest(line);
    const response: ControlResponse = r.ok
      ? await this.dispatch(r.value)
      : { id: r.error.id, ok: false, error: { code: r.error.code, message: r.error.message } };
    if (!c.destroyed) c.write(encodeResponse(response));
  }

  private async dispatch(req: ControlRequest): Promise<ControlResponse> {
    const handler = handlerFor(this.o.handlers, req.method);
    if (handler === undefined) {
      return { id: req.id, ok: false, error: { code: 'ENOSYS', message: `${req.method} is not available in this lvsd` } };
    }
    try {
      return { id: req.id, ok: true, result: await handler(req.params) };
    } catch (e) {
      const code = e instanceof LvsdError ? e.code : 'EINTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      return { id: req.id, ok: false, error: { code, message } };
    }
  }
}

/**
 * The handler for a method. decodeRequest has checked the params against the method
 * (paramsProblem), which is what makes widening the parameter type here sound.
 */
function handlerFor(h: ControlHandlers, m: ControlMethod): ((params: unknown) => Promise<unknown>) | undefined {
  const f = h[m];
  return f as ((params: unknown) => Promise<unknown>) | undefined;
}

function ensurePrivateDir(dir: string): void {
  if (lstatOrUndefined(dir) !== undefined) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Removes PATH when it is a socket nobody listens on; refuses a live one and a non-socket. */
async function removeStaleSocket(path: string): Promise<void> {
  const st = lstatOrUndefined(path);
  if (st === undefined) return;
  if (!st.isSocket()) throw new ControlError('EEXIST', `${path} exists and is not a socket; not replacing it`);
  const answered = await new Promise<boolean>((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') resolve(false);
      else reject(new ControlError(e.code ?? 'EIO', `cannot probe ${path}: ${e.message}`, { cause: e }));
    });
  });
  if (answered) throw new ControlError('EADDRINUSE', `another lvsd is running (it answers on ${path})`);
  unlinkSync(path);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

let nextId = 1;

/**
 * One request to lvsd. Resolves with the result; rejects with ControlError: ENOTRUNNING when
 * there is no socket or nobody listens, EACCES without root, ETIMEDOUT after timeoutMs
 * (default 5000), EPROTO on an unreadable answer, else the code lvsd answered with.
 * The result's shape is trusted, not checked (see protocol.ts).
 */
export async function controlRequest<M extends ControlMethod>(
  path: string,
  method: M,
  params: ParamsOf<M>,
  o?: { timeoutMs?: number },
): Promise<ResultOf<M>> {
  const id = nextId++;
  const timeoutMs = o?.timeoutMs ?? 5000;
  const line = await exchange(path, encodeRequest(params === undefined ? { id, method } : { id, method, params }), { method, timeoutMs });
  const r = decodeResponse(line);
  if (!r.ok) throw new ControlError('EPROTO', `unreadable answer from lvsd on ${path}: ${r.error}`);
  if (r.value.id !== id) throw new ControlError('EPROTO', `answer from lvsd on ${path} is for request ${String(r.value.id)}, not ${id}`);
  if (!r.value.ok) throw new ControlError(r.value.error.code, `lvsd: ${method}: ${r.value.error.message}`);
  return r.value.result as ResultOf<M>;
}

/** Connects, sends one line, resolves with the first line received (without its newline). */
function exchange(path: string, request: string, o: { method: string; timeoutMs: number }): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const s = createConnection(path);
    s.setEncoding('utf8');
    let buffered = '';
    const finish = (err: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      s.destroy();
      if (err !== undefined) reject(err);
      else resolve(line ?? '');
    };
    const timer = setTimeout(() => finish(new ControlError('ETIMEDOUT', `lvsd did not answer ${o.method} on ${path} within ${o.timeoutMs} ms`)), o.timeoutMs);
    s.once('connect', () => s.write(request));
    s.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl >= 0) finish(undefined, buffered.slice(0, nl));
      else if (Buffer.byteLength(buffered) > MAX_LINE_BYTES) finish(new ControlError('EMSGSIZE', `answer from lvsd on ${path} is too long`));
    });
    s.once('error', (e: NodeJS.ErrnoException) => finish(connectError(path, e)));
    s.once('end', () => finish(new ControlError('ECONNRESET', `lvsd closed the connection on ${path} without answering ${o.method}`)));
  });
}

function connectError(path: string, e: NodeJS.ErrnoException): ControlError {
  switch (e.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new ControlError('ENOTRUNNING', `lvsd is not running (no socket at ${path})`, { cause: e });
    case 'EACCES':
    case 'EPERM':
      return new ControlError('EACCES', `permission denied on ${path} (the control socket is root only)`, { cause: e });
    default:
      return new ControlError(e.code ?? 'EIO', `cannot reach lvsd on ${path}: ${e.message}`, { cause: e });
  }
}
