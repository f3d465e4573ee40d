/**
 * keepalived's notify FIFOs (global_defs; keepalived 2.2.7 core/global_parser.c notify_fifo,
 * notify_fifo_script, vrrp_notify_fifo, vrrp_notify_fifo_script, vrrp_notify_priority_changes):
 * `notify_fifo PATH [USER [GROUP]]`, `notify_fifo_script CMD`, the same with the `vrrp_`
 * prefix. lvs_notify_fifo (checker events) is not among them.
 */
import type { Loc, NotifyFifo } from '../../model/index.js';
import { error, type Keyword, type Sink } from '../keywords.js';
import type { Word } from '../lex.js';
import type { Stmt } from '../tree.js';

type FifoKeyword = NotifyFifo['keyword'];

export interface FifoDraft {
  path?: Word;
  script?: { argv: string[]; at: Loc };
}

export interface FifoDrafts {
  fifos: Partial<Record<FifoKeyword, FifoDraft>>;
}

/** The four keywords; `script` reads a notify script command as the VRRP notify keywords do. */
export function fifoKeywords<A extends FifoDrafts>(script: (s: Stmt, sink: Sink) => string[] | undefined): Keyword<A>[] {
  const draft = (a: A, k: FifoKeyword): FifoDraft => (a.fifos[k] ??= {});
  const fifo = (k: FifoKeyword): Keyword<A> => ({
    names: [k], minArgs: 1, maxArgs: 3, block: 'none',
    apply: (s, a, sink) => {
      const [path, owner] = s.args;
      if (owner) {
        sink.warnings.push({ at: owner.at, message: `the FIFO owner "${s.args.slice(1).map((w) => w.text).join(' ')}" is not applied: lvsd creates the FIFO as its own user with mode 0644 (readable by every user), as keepalived does before its chown` });
      }
      if (path) draft(a, k).path = path;
    },
  });
  const fifoScript = (k: FifoKeyword): Keyword<A> => ({
    names: [`${k}_script`], minArgs: 1, maxArgs: 3, block: 'none',
    apply: (s, a, sink) => {
      const argv = script(s, sink);
      if (argv) draft(a, k).script = { argv, at: s.keyword.at };
    },
  });
  return [fifo('notify_fifo'), fifoScript('notify_fifo'), fifo('vrrp_notify_fifo'), fifoScript('vrrp_notify_fifo')];
}

/**
 * The FIFOs of the file. A script without its FIFO is an error (keepalived runs nothing then);
 * notify_fifo gets a warning when the file has virtual servers, since keepalived writes their
 * checker events there too and lvsd writes VRRP events only.
 */
export function buildFifos(d: FifoDrafts, o: { hasServers: boolean; sink: Sink }): NotifyFifo[] {
  const out: NotifyFifo[] = [];
  for (const keyword of ['notify_fifo', 'vrrp_notify_fifo'] as const) {
    const f = d.fifos[keyword];
    if (f === undefined) continue;
    if (f.path === undefined) {
      if (f.script) error(o.sink, f.script.at, `expected "${keyword}" with "${keyword}_script", got none (the script reads that FIFO)`);
      continue;
    }
    if (keyword === 'notify_fifo' && o.hasServers) {
      o.sink.warnings.push({ at: f.path.at, message: 'lvsd writes VRRP events only to notify_fifo; keepalived also writes its checkers\' VS/RS UP/DOWN lines there (lvsd logs those as event check.state)' });
    }
    out.push({ at: f.path.at, keyword, path: f.path.text, ...(f.script ? { script: f.script.argv } : {}) });
  }
  return out;
}
