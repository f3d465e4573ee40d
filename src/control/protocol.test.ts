import test from 'ava';
import fc from 'fast-check';
import { CONTROL_METHODS, decodeRequest, decodeResponse, encodeRequest, encodeResponse, type ControlResponse } from './protocol.js';

const line = (s: string): string => s.replace(/\n$/, '');

test('a request survives encode then decode, for every method', (t) => {
  for (const method of CONTROL_METHODS) {
    const params = method === 'drain' || method === 'enable' ? { service: '192.0.2.10:80', realServer: '10.0.0.2:80' } : undefined;
    const req = params === undefined ? { id: 3, method } : { id: 3, method, params };
    t.deepEqual(decodeRequest(line(encodeRequest(req))), { ok: true, value: req }, method);
  }
});

test('requests are read from the documented wire text', (t) => {
  t.deepEqual(decodeRequest('{"id":"a1","method":"ping"}'), { ok: true, value: { id: 'a1', method: 'ping' } });
  t.deepEqual(decodeRequest('{"id":1,"method":"vrrp","params":null}'), { ok: true, value: { id: 1, method: 'vrrp', params: null } });
});

test('bad requests are refused with a code and the id to answer', (t) => {
  t.like(decodeRequest('{"id":1,'), { ok: false, error: { id: null, code: 'EPARSE' } });
  t.like(decodeRequest('[1]'), { ok: false, error: { id: null, code: 'EINVAL' } });
  t.like(decodeRequest('{"method":"ping"}'), { ok: false, error: { id: null, code: 'EINVAL' } });
  t.like(decodeRequest('{"id":1.5,"method":"ping"}'), { ok: false, error: { id: null, code: 'EINVAL' } });
  t.like(decodeRequest('{"id":2,"method":"shutdown"}'), { ok: false, error: { id: 2, code: 'ENOSYS' } });
  t.like(decodeRequest('{"id":2,"method":"ping","params":{"x":1}}'), { ok: false, error: { id: 2, code: 'EINVAL', message: 'ping: takes no params' } });
  t.like(decodeRequest('{"id":4,"method":"drain","params":{"service":"1.2.3.4:80"}}'), { ok: false, error: { id: 4, code: 'EINVAL' } });
});

test('responses survive encode then decode, success and failure', (t) => {
  const cases: ControlResponse[] = [
    { id: 1, ok: true, result: [{ name: 'VI_1', state: 'MASTER' }] },
    { id: 'x', ok: false, error: { code: 'ENOSYS', message: 'no' } },
    { id: null, ok: false, error: { code: 'EPARSE', message: 'not JSON' } },
  ];
  for (const r of cases) t.deepEqual(decodeResponse(line(encodeResponse(r))), { ok: true, value: r });
});

test('bad responses are refused with a reason', (t) => {
  t.false(decodeResponse('nope').ok);
  t.false(decodeResponse('{"id":1}').ok);
  t.false(decodeResponse('{"id":1,"ok":false,"error":{"code":1}}').ok);
  t.false(decodeResponse('{"id":{},"ok":true}').ok);
});

test('decoders never throw on arbitrary input', (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
      decodeRequest(s);
      decodeResponse(s);
      return true;
    }),
  );
  t.pass();
});
