/**
 * VIPs over rtnetlink and link monitoring, in a fresh network namespace (root).
 * The code runs in the namespace through test/fixtures/vip-agent.js; `ip` is the oracle.
 */
import test, { type ExecutionContext } from 'ava';
import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const AGENT = fileURLToPath(new URL('../fixtures/vip-agent.js', import.meta.url));
let counter = 0;
const AGENT_OPTIONS = { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit', reject: false } as const;

interface Answer {
  id: number;
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
}
interface LinkEvent {
  event: 'link';
  ifname: string;
  up: boolean;
}

/** A namespace with veth pairs `d0`/`d1` and `v0`/`v1`, all up; removed in teardown. */
async function withNetns(t: ExecutionContext): Promise<string> {
  const ns = `lvsd-vip-${process.pid}-${++counter}`;
  await execa('ip', ['netns', 'add', ns]);
  t.teardown(async () => {
    await execa('ip', ['netns', 'del', ns], { reject: false });
  });
  const ip = (...args: string[]) => execa('ip', ['-n', ns, ...args]);
  await ip('link', 'set', 'lo', 'up');
  // The host kernel has no dummy driver: two veth pairs d0/d1 and v0/v1.
  await ip('link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1');
  await ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  for (const dev of ['d0', 'd1', 'v0', 'v1']) await ip('link', 'set', dev, 'up');
  return ns;
}

/** Drives the agent: request/answer by id, link events queued with deadline waits. */
class Agent {
  private nextId = 1;
  private readonly waiting = new Map<number, (a: Answer) => void>();
  readonly events: LinkEvent[] = [];
  private eventWaiter: (() => void) | undefined;
  private readonly child: ResultPromise<typeof AGENT_OPTIONS>;

  constructor(ns: string) {
    this.child = execa('ip', ['netns', 'exec', ns, process.execPath, AGENT], AGENT_OPTIONS);
    const rl = createInterface({ input: this.child.stdout });
    rl.on('line', (line) => this.onLine(line));
  }

  private onLine(line: string): void {
    const m = JSON.parse(line) as Answer | LinkEvent;
    if ('event' in m) {
      this.events.push(m);
      this.eventWaiter?.();
      return;
    }
    this.waiting.get(m.id)?.(m);
    this.waiting.delete(m.id);
  }

  request(op: string, extra: object = {}): Promise<Answer> {
    const id = this.nextId++;
    const answer = new Promise<Answer>((resolve) => this.waiting.set(id, resolve));
    this.child.stdin.write(`${JSON.stringify({ id, op, ...extra })}\n`);
    return answer;
  }

  /** Resolves with the first queued event matching, or undefined after deadlineMs. */
  async waitEvent(match: (e: LinkEvent) => boolean, deadlineMs: number): Promise<LinkEvent | undefined> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const i = this.events.findIndex(match);
      if (i >= 0) return this.events.splice(i, 1)[0];
      const left = end - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.eventWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    await this.child;
  }
}

async function startAgent(t: ExecutionContext, ns: string): Promise<Agent> {
  const a = new Agent(ns);
  t.teardown(() => a.stop());
  return a;
}

async function addrLines(ns: string, dev: string): Promise<string[]> {
  const r = await execa('ip', ['-n', ns, '-o', 'addr', 'show', 'dev', dev]);
  return r.stdout.split('\n');
}

test('IPv4 VIP with a label is added once, then reported present, then removed, then absent', async (t) => {
  const ns = await withNetns(t);
  const agent = await startAgent(t, ns);
  const vip = { address: '192.0.2.10', family: 4, prefix: 32, dev: 'd0', label: 'd0:7' };

  t.like(await agent.request('add', { vip }), { ok: true, value: 'added' });
  const line = (await addrLines(ns, 'd0')).find((l) => l.includes('192.0.2.10/32'));
  t.truthy(line, 'ip shows the VIP');
  t.regex(line ?? '', /d0:7/, 'ip shows the label');

  t.like(await agent.request('add', { vip }), { ok: true, value: 'present' });
  t.is((await addrLines(ns, 'd0')).filter((l) => l.includes('192.0.2.10/32')).length, 1);

  const listed = (await agent.request('list', { dev: 'd0' })).value as Array<{ family: number }>;
  t.deepEqual(listed.filter((v) => v.family === 4), [{ address: '192.0.2.10', family: 4, prefix: 32, dev: 'd0', label: 'd0:7' }]);

  t.like(await agent.request('remove', { vip }), { ok: true, value: 'removed' });
  t.false((await addrLines(ns, 'd0')).some((l) => l.includes('192.0.2.10')));
  t.like(await agent.request('remove', { vip }), { ok: true, value: 'absent' });
});

test('add() has put the VIP in the kernel when it returns, for every VIP of a takeover', async (t) => {
  const ns = await withNetns(t);
  const agent = await startAgent(t, ns);
  const vips = [
    { address: '192.0.2.21', family: 4, prefix: 32, dev: 'd0', label: 'd0:1' },
    { address: '192.0.2.22', family: 4, prefix: 24, dev: 'd0' },
    { address: '2001:db8::22', family: 6, prefix: 64, dev: 'v0' },
  ];
  await agent.request('prepare', { vip: vips[0] });
  const a = await agent.request('add-all-same-tick', { vips });
  t.true(a.ok, a.message);
  const { seenAtOnce, results } = a.value as { seenAtOnce: string; results: string[] };
  t.deepEqual(results, ['added', 'added', 'added']);
  for (const v of vips) t.true(seenAtOnce.includes(` ${v.address}/${v.prefix} `), `${v.address} in the kernel before any await`);
});

test('a prepared VIP request follows its device when the device is re-created (new ifindex)', async (t) => {
  const ns = await withNetns(t);
  const agent = await startAgent(t, ns);
  const vip = { address: '192.0.2.30', family: 4, prefix: 32, dev: 'd0' };
  t.like(await agent.request('prepare', { vip }), { ok: true });
  const ip = (...args: string[]) => execa('ip', ['-n', ns, ...args]);
  const index = async (): Promise<string> => (await ip('-o', 'link', 'show', 'd0')).stdout.split(':')[0]!;
  const before = await index();
  await ip('link', 'del', 'd0');
  await ip('link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1');
  await ip('link', 'set', 'd0', 'up');
  t.not(await index(), before);
  // The prepared request names the old index, which no device has now (ENODEV if it were sent).
  t.like(await agent.request('add', { vip }), { ok: true, value: 'added' });
  t.true((await addrLines(ns, 'd0')).some((l) => l.includes('192.0.2.30/32')), 'on the new d0');
});

test('IPv6 VIP is added with nodad and is not tentative', async (t) => {
  const ns = await withNetns(t);
  const agent = await startAgent(t, ns);
  const vip = { address: '2001:db8::10', family: 6, prefix: 64, dev: 'v0' };

  t.like(await agent.request('add', { vip }), { ok: true, value: 'added' });
  const line = (await addrLines(ns, 'v0')).find((l) => l.includes('2001:db8::10/64'));
  t.truthy(line);
  t.regex(line ?? '', /nodad/);
  t.notRegex(line ?? '', /tentative/);
  t.like(await agent.request('add', { vip }), { ok: true, value: 'present' });
  const listed = (await agent.request('list', { dev: 'v0' })).value as Array<{ address: string }>;
  t.true(listed.some((v) => v.address === '2001:db8::10'));
  t.like(await agent.request('remove', { vip }), { ok: true, value: 'removed' });
  t.like(await agent.request('remove', { vip }), { ok: true, value: 'absent' });
});

test('a VIP that was already there (lvsd restart) is adopted as present', async (t) => {
  const ns = await withNetns(t);
  await execa('ip', ['-n', ns, 'addr', 'add', '198.51.100.5/24', 'dev', 'd0']);
  const agent = await startAgent(t, ns);
  const vip = { address: '198.51.100.5', family: 4, prefix: 24, dev: 'd0' };
  t.like(await agent.request('add', { vip }), { ok: true, value: 'present' });
  t.like(await agent.request('primary', { dev: 'd0', family: 4 }), { ok: true, value: '198.51.100.5' });
});

test('removing a VIP never removes the same address with another prefix', async (t) => {
  const ns = await withNetns(t);
  await execa('ip', ['-n', ns, 'addr', 'add', '198.51.100.5/24', 'dev', 'd0']);
  await execa('ip', ['-n', ns, 'addr', 'add', '2001:db8::5/64', 'dev', 'd0', 'nodad']);
  const agent = await startAgent(t, ns);
  t.like(await agent.request('remove', { vip: { address: '198.51.100.5', family: 4, prefix: 32, dev: 'd0' } }), { ok: true, value: 'absent' });
  t.like(await agent.request('remove', { vip: { address: '2001:db8::5', family: 6, prefix: 128, dev: 'd0' } }), { ok: true, value: 'absent' });
  const lines = await addrLines(ns, 'd0');
  t.true(lines.some((l) => l.includes('198.51.100.5/24')));
  t.true(lines.some((l) => l.includes('2001:db8::5/64')));
});

test('errors carry the errno: unknown device is ENODEV, a bad label is EINVAL before any request', async (t) => {
  const ns = await withNetns(t);
  const agent = await startAgent(t, ns);
  const nodev = await agent.request('add', { vip: { address: '192.0.2.1', family: 4, prefix: 32, dev: 'nope0' } });
  t.like(nodev, { ok: false, code: 'ENODEV', errno: 19 }, 'positive, as every errno in lvsd');
  t.regex(nodev.message ?? '', /add VIP 192\.0\.2\.1\/32 dev nope0: no such network device \(ENODEV\)/);
  const badLabel = await agent.request('add', { vip: { address: '192.0.2.1', family: 4, prefix: 32, dev: 'd0', label: 'x:1' } });
  t.like(badLabel, { ok: false, code: 'EINVAL' });
  t.like(await agent.request('index', { dev: 'nope0' }), { ok: false, code: 'ENODEV' });
});

test('link watcher reports ip link set down/up and loss of carrier within a second', async (t) => {
  const ns = await withNetns(t);
  const agent = await startAgent(t, ns);
  const initial = (await agent.request('watch')).value as Array<{ ifname: string; up: boolean }>;
  t.true(initial.some((l) => l.ifname === 'd0' && l.up));

  await execa('ip', ['-n', ns, 'link', 'set', 'd0', 'down']);
  t.like(await agent.waitEvent((e) => e.ifname === 'd0', 1000), { ifname: 'd0', up: false });
  await execa('ip', ['-n', ns, 'link', 'set', 'd0', 'up']);
  t.like(await agent.waitEvent((e) => e.ifname === 'd0', 1000), { ifname: 'd0', up: true });

  // v0 stays administratively up; taking its peer down removes its carrier (IFF_RUNNING).
  await execa('ip', ['-n', ns, 'link', 'set', 'v1', 'down']);
  t.like(await agent.waitEvent((e) => e.ifname === 'v0', 1000), { ifname: 'v0', up: false });
  await execa('ip', ['-n', ns, 'link', 'set', 'v1', 'up']);
  t.like(await agent.waitEvent((e) => e.ifname === 'v0', 1000), { ifname: 'v0', up: true });

  await execa('ip', ['-n', ns, 'link', 'del', 'd0']);
  t.like(await agent.waitEvent((e) => e.ifname === 'd0', 1000), { ifname: 'd0', up: false });
});
