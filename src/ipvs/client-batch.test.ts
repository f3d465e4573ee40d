import test from 'ava';
import type { NetlinkSocket } from 'netlink';
import { encodeAll, type PipelineOutcome } from './client-batch.js';
import { Cmd, decodeRequest, type IpvsRequest } from './family.js';
import type { IpvsService } from './types.js';

const svc = (port: number): IpvsService => ({ af: 2, protocol: 6, addr: '192.0.2.1', port, fwmark: 0, sched: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff });

/** Only generateSeq is used while encoding. */
function fakeSocket(): NetlinkSocket {
  let seq = 100;
  return { generateSeq: () => ++seq } as unknown as NetlinkSocket;
}

interface Msg { len: number; type: number; flags: number; seq: number; cmd: number; attrs: Buffer }
function split(b: Buffer): Msg[] {
  const out: Msg[] = [];
  for (let off = 0; off < b.length;) {
    const len = b.readUInt32LE(off);
    out.push({ len, type: b.readUInt16LE(off + 4), flags: b.readUInt16LE(off + 6), seq: b.readUInt32LE(off + 8), cmd: b[off + 16] ?? 0, attrs: b.subarray(off + 20, off + len) });
    off += (len + 3) & ~3;
  }
  return out;
}

test('encodeAll: whole messages, chunked, ACK only on the last of each datagram, bad ops left out', (t) => {
  const reqs: IpvsRequest[] = Array.from({ length: 10 }, (_, i) => ({ cmd: 'NEW_SERVICE' as const, service: svc(i + 1) }));
  reqs[4] = { cmd: 'NEW_SERVICE', service: { ...svc(5), addr: 'not-an-address' } };
  reqs[9] = { cmd: 'DEL_SERVICE', service: { ...svc(10), addr: '300.1.1.1' } }; // the last one fails too
  const out: PipelineOutcome[] = new Array<PipelineOutcome>(reqs.length).fill(0);
  const indexOf = new Map<number, number>();
  const dgs = encodeAll(fakeSocket(), 0x20, reqs, 4, out, indexOf);
  t.like(out[4], { reason: 'bad-address', detail: 'not-an-address' });
  t.like(out[9], { reason: 'bad-address' });
  t.deepEqual(dgs.map((d) => [d.first, d.end]), [[0, 4], [5, 9]]);
  const sent: number[] = [];
  for (const d of dgs) {
    const msgs = split(d.bytes);
    t.is(msgs.reduce((n, m) => n + ((m.len + 3) & ~3), 0), d.bytes.length);
    msgs.forEach((m, k) => {
      t.is(m.type, 0x20);
      t.is(m.flags, k === msgs.length - 1 ? 0x5 : 0x1); // NLM_F_REQUEST (| NLM_F_ACK on the last)
      t.is(m.cmd, Cmd.NEW_SERVICE);
      const i = indexOf.get(m.seq);
      if (i === undefined) return t.fail('unknown seq');
      sent.push(i);
      t.deepEqual(decodeRequest(m.cmd, m.attrs), { ok: true, value: reqs[i] });
      return undefined;
    });
    t.is(d.lastSeq, msgs[msgs.length - 1]?.seq ?? -1);
  }
  t.deepEqual(sent, [0, 1, 2, 3, 5, 6, 7, 8]);
});
