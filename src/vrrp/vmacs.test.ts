import test from 'ava';
import { loadConfig } from '../config/index.js';
import type { VrrpInstance } from '../model/index.js';
import type { VmacManager, VmacSpec } from '../net/index.js';
import { Vmacs } from './vmacs.js';

function instances(text: string): VrrpInstance[] {
  const r = loadConfig({ path: 'k.conf', text, readFile: () => { throw new Error('no includes'); }, format: 'keepalived' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return [...r.value.vrrp];
}

const inst = (name: string, vrid: number, extra: string): string =>
  `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n ${extra}\n virtual_ipaddress {\n  192.0.2.${vrid}\n }\n}\n`;

function fake(failOn?: string) {
  const calls: string[] = [];
  const m: VmacManager = {
    create: async (v: VmacSpec) => {
      if (v.ifname === failOn) throw new Error('EPERM');
      calls.push(`create ${v.ifname} on ${v.base} vrid ${v.vrid}`);
      return 'created';
    },
    remove: async (v: VmacSpec) => { calls.push(`remove ${v.ifname}`); return 'removed'; },
    close: () => undefined,
  };
  return { m, calls };
}

test('use_vmac names the interface vrrp.VRID unless given; vmacs are created once, pruned when unused, all removed with []', async (t) => {
  const first = instances(inst('A', 51, 'use_vmac') + inst('B', 52, 'use_vmac vip52\n vmac_xmit_base') + inst('C', 53, ''));
  t.deepEqual(first.map((i) => i.vmac ?? null), [{ ifname: 'vrrp.51', xmitBase: false }, { ifname: 'vip52', xmitBase: true }, null]);
  const { m, calls } = fake();
  const errors: string[] = [];
  const v = new Vmacs(m, (_e, what) => errors.push(what));
  await v.add(first);
  await v.add(first);
  t.deepEqual(calls, ['create vrrp.51 on eth0 vrid 51', 'create vip52 on eth0 vrid 52'], 'created once');
  const next = instances(inst('A', 51, 'use_vmac'));
  await v.add(next);
  await v.prune(next);
  t.deepEqual(calls.slice(2), ['remove vip52']);
  await v.prune([]);
  t.deepEqual(calls.slice(3), ['remove vrrp.51']);
  t.deepEqual(errors, []);
});

test('a failed creation is reported and not removed later', async (t) => {
  const { m, calls } = fake('vrrp.51');
  const errors: string[] = [];
  const v = new Vmacs(m, (_e, what) => errors.push(what));
  await v.add(instances(inst('A', 51, 'use_vmac')));
  await v.prune([]);
  t.deepEqual(errors, ['create virtual MAC interface vrrp.51 on eth0']);
  t.deepEqual(calls, []);
});
