import { stat } from 'node:fs';
import test from 'ava';
import { nodeTimers } from './timers.js';

/** Resumes inside an I/O callback (the poll phase): from there an immediate always runs before any timer. */
const inPollPhase = (): Promise<void> => new Promise((r) => stat('.', () => r()));

const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

test('nodeTimers: a 0 ms timer fires in this loop turn, before a 1 ms setTimeout set first', async (t) => {
  const order: string[] = [];
  await inPollPhase();
  setTimeout(() => order.push('timeout'), 1);
  nodeTimers.set(() => order.push('zero'), 0);
  nodeTimers.set(() => order.push('negative'), -5);
  await turn();
  t.deepEqual(order.slice(0, 2), ['zero', 'negative']);
  t.deepEqual(order.sort(), ['negative', 'timeout', 'zero']);
});

test('nodeTimers: cleared timers never fire, whatever their delay; clearing twice is harmless', async (t) => {
  const fired: number[] = [];
  const a = nodeTimers.set(() => fired.push(0), 0);
  const b = nodeTimers.set(() => fired.push(1), 1);
  const c = nodeTimers.set(() => fired.push(2), 2);
  nodeTimers.clear(a);
  nodeTimers.clear(b);
  nodeTimers.clear(a);
  nodeTimers.clear(b);
  await turn();
  t.deepEqual(fired, [2]);
  nodeTimers.clear(c);
});
