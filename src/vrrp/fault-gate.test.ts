import test from 'ava';
import { FaultGate } from './fault-gate.js';

test('the machine hears the first fault and the last clear, nothing in between', (t) => {
  const calls: string[] = [];
  const g = new FaultGate({ fault: (r) => calls.push(`fault ${r}`), faultClear: () => calls.push('clear') });
  t.true(g.set('link', 'link down: eth0'));
  t.false(g.set('track', 'script chk down'));
  t.false(g.set('link', null));
  t.true(g.faulted);
  t.true(g.set('track', null));
  t.false(g.set('track', null));
  t.deepEqual(calls, ['fault link down: eth0', 'fault link down: eth0; script chk down', 'fault script chk down', 'clear']);
});

test('setting the same reason again does nothing', (t) => {
  const calls: string[] = [];
  const g = new FaultGate({ fault: (r) => calls.push(r), faultClear: () => calls.push('clear') });
  g.set('track', 'x');
  t.false(g.set('track', 'x'));
  t.deepEqual(calls, ['x']);
});
