import test from 'ava';
import fc from 'fast-check';
import { initialScriptState, scriptResult, type ScriptCounting, type ScriptState } from './script-state.js';

function run(c: ScriptCounting, results: readonly boolean[]): Array<boolean | undefined> {
  let s: ScriptState = initialScriptState(c);
  const ups: Array<boolean | undefined> = [];
  for (const r of results) {
    s = scriptResult(s, c, r).s;
    ups.push(s.up);
  }
  return ups;
}

test('the first result decides at once, whatever rise and fall', (t) => {
  const c = { rise: 3, fall: 4, initFail: false };
  t.is(initialScriptState(c).up, undefined);
  t.deepEqual(run(c, [true]), [true]);
  t.deepEqual(run(c, [false]), [false]);
});

test('up goes down after fall failures in a row; a success resets the run', (t) => {
  const c = { rise: 2, fall: 3, initFail: false };
  t.deepEqual(run(c, [true, false, false, false]), [true, true, true, false]);
  t.deepEqual(run(c, [true, false, false, true, false, false, false]), [true, true, true, true, true, true, false]);
});

test('down goes up after rise successes in a row; a failure resets the run', (t) => {
  const c = { rise: 3, fall: 1, initFail: false };
  t.deepEqual(run(c, [false, true, true, true]), [false, false, false, true]);
  t.deepEqual(run(c, [false, true, true, false, true, true, true]), [false, false, false, false, false, false, true]);
});

test('init_fail starts down and needs rise successes', (t) => {
  const c = { rise: 2, fall: 2, initFail: true };
  t.is(initialScriptState(c).up, false);
  t.deepEqual(run(c, [false, true, true]), [false, false, true]);
  t.deepEqual(run({ rise: 1, fall: 1, initFail: true }, [true]), [true]);
});

test('changed is reported exactly when up/down flips', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.array(fc.boolean(), { maxLength: 40 }),
    (rise, fall, initFail, results) => {
      const c = { rise, fall, initFail };
      let s = initialScriptState(c);
      for (const r of results) {
        const next = scriptResult(s, c, r);
        if (next.changed !== (next.s.up !== s.up)) return false;
        if (next.s.result < 0 || next.s.result > rise + fall - 1) return false;
        s = next.s;
      }
      return true;
    }));
  t.pass();
});

test('rise/fall as hysteresis: n failures in a row from up never flip before fall', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), (rise, fall) => {
    const c = { rise, fall, initFail: false };
    const ups = run(c, [true, ...Array<boolean>(fall).fill(false), ...Array<boolean>(rise).fill(true)]);
    return ups.slice(1, fall).every((u) => u === true) && ups[fall] === false
      && ups.slice(fall + 1, fall + rise).every((u) => u === false) && ups[fall + rise] === true;
  }));
  t.pass();
});
