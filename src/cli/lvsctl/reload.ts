/** `lvsctl reload`: ask lvsd to reload; prints what changed or why it refused. */
import { diagnosticLine } from '../../model/index.js';
import type { Io } from '../io.js';
import { ask } from './ask.js';

export async function run(opts: { socket: string }, io: Io): Promise<number> {
  const a = await ask({ socket: opts.socket, method: 'reload', params: undefined, io, timeoutMs: 30_000 });
  if (!a.ok) return 1;
  const r = a.value;
  if (!r.ok) {
    io.err('reload refused; the running configuration is unchanged:\n');
    for (const d of r.diagnostics) io.err(`${diagnosticLine(d)}\n`);
    return 1;
  }
  for (const d of r.diagnostics) io.err(`${diagnosticLine(d)}\n`);
  io.out(r.changed.length ? `reloaded: ${r.changed.join(', ')}\n` : 'reloaded: nothing changed\n');
  return 0;
}
