/** `lvsctl reload`: ask lvsd to reload; prints what changed or why it refused. */
import { controlRequest, type ReloadResult } from '../../control/index.js';
import { diagnosticLine } from '../../model/index.js';
import type { Io } from '../io.js';

export async function run(opts: { socket: string }, io: Io): Promise<number> {
  try {
    const r = (await controlRequest(opts.socket, 'reload', undefined, { timeoutMs: 30_000 })) as ReloadResult;
    if (!r.ok) {
      io.err('reload refused; the running configuration is unchanged:\n');
      for (const d of r.diagnostics) io.err(`${diagnosticLine(d)}\n`);
      return 1;
    }
    for (const d of r.diagnostics) io.err(`${diagnosticLine(d)}\n`);
    io.out(r.changed.length ? `reloaded: ${r.changed.join(', ')}\n` : 'reloaded: nothing changed\n');
    return 0;
  } catch (e) {
    io.err(`lvsctl: ${(e as Error).message}\n`);
    return 1;
  }
}
