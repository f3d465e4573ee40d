/**
 * The checkers the director runs (one per probe kind, src/health/checks): the built-in network
 * checkers, ICMP through the addon (loaded on the first PING_CHECK), MISC_CHECK scripts, and
 * FILE_CHECK reading the track_file the running config names.
 */
import { checkerRegistry, createFileChecker, createMiscChecker, type CheckerRegistry } from '../health/index.js';
import type { Config } from '../model/types.js';
import { loadNative } from '../native/index.js';

export function realCheckers(current: () => Config | undefined): CheckerRegistry {
  return checkerRegistry({
    icmp: loadNative,
    echoId: process.pid,
    extra: [createMiscChecker(), createFileChecker({ resolve: (name) => current()?.tracking?.files.find((f) => f.name === name) })],
  });
}
