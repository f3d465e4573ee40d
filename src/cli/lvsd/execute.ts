/**
 * ldirectord's execute=NAME: the running daemon starts, reloads and stops another lvsd for the
 * configuration NAME, as ldirectord runs `ldirectord NAME start|reload|stop` for it
 * (ld_cmd_children), here without a shell, through the same verbs (verbs.ts).
 *
 * NAME is found as ldirectord finds a configuration: /etc/ha.d/NAME, then /etc/ha.d/conf/NAME,
 * then NAME itself. ldirectord reads a relative NAME from its working directory; lvsd from the
 * directory of the configuration that names it (a daemon's working directory is not the
 * operator's). The other lvsd gets a pid file and control socket of its own, beside this one's
 * and named after NAME's file as ldirectord names its pid files (ldirectord.NAME.pid):
 * `lvsd.NAME.pid`, `lvsd.NAME.sock`. Its other options are this lvsd's.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from '../../daemon/index.js';
import { ldirectordConfigPath } from './config-path.js';
import type { LvsdOptions } from './options.js';
import type { verb } from './verbs.js';

/** The options of the lvsd for execute=`name` of the lvsd run with `parent`. */
export function childOptions(parent: LvsdOptions, name: string, exists: (path: string) => boolean = existsSync): LvsdOptions {
  const from = parent.haDir ?? dirname(parent.config);
  const config = resolve(from, ldirectordConfigPath(name, exists));
  const { haDir, ...rest } = parent;
  void haDir;
  const file = basename(config);
  return { ...rest, config, pidFile: join(dirname(parent.pidFile), `lvsd.${file}.pid`), socket: join(dirname(parent.socket), `lvsd.${file}.sock`), foreground: false };
}

/** Runs a verb (verbs.ts `verb`, passed in) for an execute= configuration; what it prints goes to the log. */
export function runChild(parent: LvsdOptions, log: Logger, run: typeof verb): (cmd: 'start' | 'stop' | 'reload', name: string) => Promise<number> {
  return async (cmd, name) => {
    const opts = childOptions(parent, name);
    const said: string[] = [];
    const code = await run(cmd, opts, { out: (s) => said.push(s), err: (s) => said.push(s) });
    const text = said.join('').trim();
    if (text !== '') log.info({ event: 'ldirectord.execute.output', cmd, config: opts.config, output: text }, `lvsd ${cmd} for ${opts.config} said`);
    return code;
  };
}
