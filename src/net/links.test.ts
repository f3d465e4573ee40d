import test from 'ava';
import fc from 'fast-check';
import { rt } from 'netlink';
import { decodeLinkMessage } from './links.js';
import { linkVectors } from './links.vectors.js';

const NEWLINK = rt.MessageType.NEWLINK;
const DELLINK = rt.MessageType.DELLINK;
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

test('up and running (IFF_UP and IFF_RUNNING) is up', (t) => {
  t.deepEqual(decodeLinkMessage(NEWLINK, hex(linkVectors.upRunning)), {
    state: { ifname: 'v0', index: 3, adminUp: true, running: true, up: true },
    deleted: false,
  });
});

test('administratively up without carrier is down, as in keepalived', (t) => {
  t.like(decodeLinkMessage(NEWLINK, hex(linkVectors.upNoCarrier)), { state: { adminUp: true, running: false, up: false } });
});

test('administratively down is down', (t) => {
  t.like(decodeLinkMessage(NEWLINK, hex(linkVectors.down)), { state: { adminUp: false, up: false } });
});

test('RTM_DELLINK reports the device deleted and down, whatever its flags said', (t) => {
  t.like(decodeLinkMessage(DELLINK, hex(linkVectors.upRunning)), { state: { ifname: 'v0', up: false }, deleted: true });
});

test('a message without a name or index is ignored', (t) => {
  t.is(decodeLinkMessage(NEWLINK, hex(linkVectors.upRunning).subarray(0, 16)), undefined);
});

test('hostile bytes never throw', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      decodeLinkMessage(NEWLINK, Buffer.from(bytes));
      return true;
    }),
  );
  t.pass();
});
