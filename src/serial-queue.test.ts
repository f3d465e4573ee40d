import test from 'ava';
import { SerialQueue } from './serial-queue.js';

test('tasks run one at a time in queue order; a failure rejects only its own task', async (t) => {
  const q = new SerialQueue();
  const log: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const a = q.run(async () => {
    log.push('a start');
    await gate;
    log.push('a end');
    return 'a';
  });
  const b = q.run(async () => {
    log.push('b');
    throw new Error('b failed');
  });
  const c = q.run(async () => {
    log.push('c');
    return 'c';
  });
  await Promise.resolve();
  t.deepEqual(log, ['a start']);
  release();
  t.is(await a, 'a');
  await t.throwsAsync(b, { message: 'b failed' });
  t.is(await c, 'c');
  t.deepEqual(log, ['a start', 'a end', 'b', 'c']);
});
