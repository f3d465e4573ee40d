import test from 'ava';
import { frameRequest, parseAcks } from './nl-ack.js';

test('frameRequest: nlmsghdr (length, type, REQUEST|ACK + flags, seq, port 0) then the body', (t) => {
  const m = frameRequest({ type: 20, flags: 0x600, body: [Uint8Array.from([1, 2, 3, 4]), Uint8Array.from([5, 6, 7, 8])] }, 0x01020304);
  t.is(m.length, 24);
  t.is(m.readUInt32LE(0), 24);
  t.is(m.readUInt16LE(4), 20);
  t.is(m.readUInt16LE(6), 0x605);
  t.is(m.readUInt32LE(8), 0x01020304);
  t.is(m.readUInt32LE(12), 0);
  t.deepEqual([...m.subarray(16)], [1, 2, 3, 4, 5, 6, 7, 8]);
});

/** NLMSG_ERROR carrying `error` (0 = ACK) for `seq`, with the echoed request header. */
function errMsg(seq: number, error: number): Buffer {
  const b = Buffer.alloc(36);
  b.writeUInt32LE(36, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt32LE(seq, 8);
  b.writeInt32LE(error, 16);
  return b;
}

test('parseAcks: ACK and errors by sequence number, errno positive', (t) => {
  t.deepEqual(parseAcks(Buffer.concat([errMsg(7, 0), errMsg(8, -17)])), [{ seq: 7, errno: 0 }, { seq: 8, errno: 17 }]);
});

test('parseAcks: other message types are skipped; a short error payload is EPROTO', (t) => {
  const other = Buffer.alloc(20);
  other.writeUInt32LE(20, 0);
  other.writeUInt16LE(3, 4); // NLMSG_DONE
  const short = Buffer.alloc(16);
  short.writeUInt32LE(16, 0);
  short.writeUInt16LE(2, 4);
  short.writeUInt32LE(9, 8);
  t.deepEqual(parseAcks(Buffer.concat([other, short])), [{ seq: 9, errno: 71 }]);
});

test('parseAcks: a truncated or zero-length header ends the parse without throwing', (t) => {
  const bad = errMsg(1, 0);
  bad.writeUInt32LE(400, 0);
  t.deepEqual(parseAcks(bad), []);
  t.deepEqual(parseAcks(Buffer.alloc(16)), []);
  t.deepEqual(parseAcks(Buffer.alloc(3)), []);
});
