/**
 * keepalived.conf notify scripts: notify_master, notify_backup, notify_fault, notify_stop and
 * notify (vrrp_instance and vrrp_sync_group), each one quoted command line split into argv as
 * keepalived 2.2.7 does; the notify FIFO scripts (notify-fifo.ts) are read the same way.
 */
import { splitCommand } from '../argv.js';
import type { NotifyDraft, NotifyField } from '../instance.js';
import { error, type Keyword, type Sink } from '../keywords.js';
import type { Stmt } from '../tree.js';
import { bad } from '../values.js';

/** A notify script: one quoted command line (split into argv), or one unquoted program path. */
export function notifyScript(s: Stmt, sink: Sink): string[] | undefined {
  const [cmd, ...user] = s.args;
  if (cmd === undefined) return undefined;
  if (user.length > 0) {
    error(sink, user[0]?.at ?? s.at, `expected the script and its arguments as one quoted string, got extra words (keepalived reads "${user[0]?.text}" as a user name; lvsd runs scripts as itself)`);
    return undefined;
  }
  const split = splitCommand(cmd.text);
  if (!split.ok) return bad(sink, cmd, `a script command: ${split.error}`);
  return split.value;
}

export function notifyKeywords<A extends { notify: NotifyDraft }>(): Keyword<A>[] {
  const set = (field: NotifyField) => (s: Stmt, a: A, sink: Sink): void => {
    const argv = notifyScript(s, sink);
    if (argv) a.notify.scripts[field] = argv;
  };
  return [
    { names: ['notify_master'], minArgs: 1, maxArgs: 3, block: 'none', apply: set('master') },
    { names: ['notify_backup'], minArgs: 1, maxArgs: 3, block: 'none', apply: set('backup') },
    { names: ['notify_fault'], minArgs: 1, maxArgs: 3, block: 'none', apply: set('fault') },
    { names: ['notify_stop'], minArgs: 1, maxArgs: 3, block: 'none', apply: set('stop') },
    { names: ['notify'], minArgs: 1, maxArgs: 3, block: 'none', apply: set('any') },
  ];
}
