/**
 * Lab fixture for reconcile.test.ts, run inside a fresh director namespace:
 * `ip netns exec NS node dist/test/lab/reconcile-fixture.js history|fresh|adopt`.
 * Drives desiredTable → reconcile → netlink client on the real kernel, one step per config
 * version, and reports per step: the ops applied, the ops still needed afterwards (must be
 * none) and `ipvsadm -L -n --nosort` (the kernel's own dest list order).
 */
import { execa } from 'execa';
import { desiredTable } from '../../src/ipvs/desired.js';
import { reconcile } from '../../src/ipvs/reconcile.js';
import { openNetlinkIpvs } from '../../src/ipvs/client.js';
import type { RealServer, VirtualService } from '../../src/model/types.js';

const at = { file: 'lab', line: 1 };
const real = (last: number, weight = 1): RealServer => ({
  at, family: 4, address: `10.0.0.${last}`, port: 80, forward: 'route', weight, upperThreshold: 0, lowerThreshold: 0,
});
const mh = (reals: RealServer[]): VirtualService => ({
  at, key: { kind: 'addr', family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 }, scheduler: 'mh',
  schedFlags: ['mh-port'], onePacket: false, reals,
});
const wlc = (w2: number): VirtualService => ({
  at, key: { kind: 'fwmark', family: 4, fwmark: 5 }, scheduler: 'wlc', schedFlags: [], onePacket: false,
  reals: [real(1), real(2, w2)].map((r) => ({ ...r, port: 0 })),
});

export const FINAL: VirtualService[] = [mh([real(40), real(5), real(20), real(10)]), wlc(3)];
const HISTORY: VirtualService[][] = [
  [mh([real(40), real(10), real(30)]), wlc(1)],
  [mh([real(40), real(10), real(30)]), wlc(3)], // one weight changes
  [mh([real(40), real(5), real(10), real(30), real(20)]), wlc(3)], // .5 sorts first, .20 in the middle
  FINAL, // .30 leaves
];

export interface StepReport { readonly ops: string[]; readonly residual: number; readonly nosort: string }

const client = await openNetlinkIpvs();
async function step(model: VirtualService[]): Promise<StepReport> {
  const want = desiredTable(model);
  const ops = reconcile(want, await client.dump());
  for (const op of ops) await client.apply(op);
  const residual = reconcile(want, await client.dump()).length;
  const nosort = (await execa('ipvsadm', ['-L', '-n', '--nosort'])).stdout;
  return { ops: ops.map((o) => `${o.op}${'dest' in o ? ` ${o.dest.addr}` : ''}`), residual, nosort };
}

const mode = process.argv[2];
const reports: StepReport[] = [];
try {
  if (mode === 'history') for (const m of HISTORY) reports.push(await step(m));
  else if (mode === 'fresh') reports.push(await step(FINAL));
  else if (mode === 'adopt') {
    // Someone else (ipvsadm) built the final table, adding dests in canonical order.
    for (const argv of [['-A', '-t', '192.0.2.10:80', '-s', 'mh', '-b', 'mh-port'], ['-A', '-f', '5', '-s', 'wlc'],
      ...[5, 10, 20, 40].map((n) => ['-a', '-t', '192.0.2.10:80', '-r', `10.0.0.${n}:80`, '-g', '-w', '1']),
      ['-a', '-f', '5', '-r', '10.0.0.1:0', '-g', '-w', '1'], ['-a', '-f', '5', '-r', '10.0.0.2:0', '-g', '-w', '3']]) {
      await execa('ipvsadm', argv);
    }
    reports.push(await step(FINAL));
  } else throw new Error(`unknown mode ${mode}`);
} finally {
  client.close();
}
process.stdout.write(`${JSON.stringify(reports)}\n`);
