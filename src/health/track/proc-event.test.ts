import test from 'ava';
import fc from 'fast-check';
import { decodeProcEvent, encodeMcastOp } from './proc-event.js';
import { PROC_EVENT_VECTORS as V } from './proc-event.vectors.js';

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

test('captured events decode', (t) => {
  t.like(decodeProcEvent(hex(V.ack)), { ok: true, event: { kind: 'ack', err: 0 } });
  t.like(decodeProcEvent(hex(V.fork)), { ok: true, event: { kind: 'fork', parent: 0x6a65, child: 0x6a86 } });
  t.like(decodeProcEvent(hex(V.exec)), { ok: true, event: { kind: 'exec', pid: 0x6a86 } });
  t.like(decodeProcEvent(hex(V.comm)), { ok: true, event: { kind: 'comm', pid: 0x6a86, comm: 'lvsd-vec' } });
  t.like(decodeProcEvent(hex(V.exit)), { ok: true, event: { kind: 'exit', pid: 0x6b15, exitCode: 0x300, exitSignal: 17 } });
});

test('thread events are skipped', (t) => {
  t.deepEqual(decodeProcEvent(hex(V.threadExit)), { ok: false, reason: 'thread' });
});

test('truncated messages are skipped, never thrown on', (t) => {
  for (const v of Object.values(V)) {
    const b = hex(v);
    for (let n = 0; n < b.length; n++) decodeProcEvent(b.subarray(0, n));
  }
  t.deepEqual(decodeProcEvent(hex(V.exit).subarray(0, 60)), { ok: false, reason: 'short' });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (a) => {
    decodeProcEvent(Buffer.from(a));
  }));
});

test('the listen request is keepalived set_proc_ev_listen byte for byte', (t) => {
  // nlmsghdr{40, NLMSG_DONE, 0, 0, pid} cn_msg{1, 1, 0, 0, 4, 0} PROC_CN_MCAST_LISTEN
  t.is(encodeMcastOp('listen', 0x12345678).toString('hex'),
    '28000000030000000000000078563412' + '0100000001000000000000000000000004000000' + '01000000');
  t.is(encodeMcastOp('ignore', 1).readUInt32LE(36), 2);
});
