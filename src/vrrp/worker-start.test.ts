import test from 'ava';
import { once } from 'node:events';
import { dropVrrpWorker, prestartVrrpWorker, takeVrrpWorker } from './worker-start.js';

test.serial('the prestarted worker is the one the engine takes, once; the next take starts a new one', async (t) => {
  const early = prestartVrrpWorker();
  t.is(prestartVrrpWorker(), early, 'one early worker');
  const first = takeVrrpWorker();
  const second = takeVrrpWorker();
  t.is(first, early);
  t.not(second, early);
  await Promise.all([first.terminate(), second.terminate()]);
});

test.serial('a prestarted worker nobody takes is ended by drop; drop without one does nothing', async (t) => {
  const early = prestartVrrpWorker();
  const ended = once(early, 'exit');
  dropVrrpWorker();
  dropVrrpWorker();
  await ended;
  const fresh = takeVrrpWorker();
  t.not(fresh, early, 'a take after the drop starts a new worker');
  await fresh.terminate();
});

test.serial('the worker waits for its first message: it posts nothing before it has the instances', async (t) => {
  prestartVrrpWorker();
  const w = takeVrrpWorker();
  const got: unknown[] = [];
  w.on('message', (m) => got.push(m));
  await new Promise((r) => setTimeout(r, 500));
  t.deepEqual(got, []);
  await w.terminate();
});
