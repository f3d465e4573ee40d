import test from 'ava';
import { constants } from 'node:os';
import { deserializeError, errnoOfSystemError, KernelError, LvsdError, serializeError } from './errors.js';

/** What postMessage does to a value: the structured clone algorithm. */
const acrossThreads = <T>(v: T): T => structuredClone(v);

test('a KernelError crosses the worker boundary whole: class, errno, op, target, syscall, message', (t) => {
  const e = new KernelError({ op: 'add VIP', target: '192.0.2.10/32 dev eth0', errno: constants.errno.ENODEV, code: 'ENODEV', syscall: 'rtnetlink', meaning: 'no such network device' });
  t.false(acrossThreads(e) instanceof KernelError, 'structured clone alone loses it');
  const back = deserializeError(acrossThreads(serializeError(e)));
  t.true(back instanceof KernelError);
  t.deepEqual({ ...back, message: back.message, name: back.name }, { ...e, message: e.message, name: e.name });
});

test('other errors keep their code and message; a value that is not an Error becomes EINTERNAL', (t) => {
  const coded = Object.assign(new Error('getaddrinfo failed'), { code: 'EAI_AGAIN' });
  const back = deserializeError(acrossThreads(serializeError(coded)));
  t.true(back instanceof LvsdError);
  t.false(back instanceof KernelError);
  t.like(back, { code: 'EAI_AGAIN', message: 'getaddrinfo failed', name: 'Error' });
  t.like(deserializeError(serializeError(new TypeError('x is undefined'))), { code: 'EINTERNAL', name: 'TypeError' });
  t.like(deserializeError(serializeError('a string')), { code: 'EINTERNAL', message: 'a string' });
});

test('errno is positive: a Node system error (negative errno) is turned positive on entry', (t) => {
  t.is(errnoOfSystemError(Object.assign(new Error('x'), { errno: -constants.errno.ENOENT })), constants.errno.ENOENT);
  t.is(errnoOfSystemError(new Error('no errno')), undefined);
});
