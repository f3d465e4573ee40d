/**
 * The pure parts of the negotiate checks: byte vectors from the programs ldirectord uses
 * (Authen::Radius 0.32 on this machine) and hand-assembled RFC examples.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { decodeAnswers, encodeDnsQuery, questionFor, readName } from './dns-answer.js';
import { pasvPort } from './ftp.js';
import { hopRequest } from './http.js';
import { imapQuote } from './imap.js';
import { ACCESS_ACCEPT, encodeAccessRequest, hidePassword, judgeReply } from './radius-packet.js';
import { perlLines, simpletcpPayload } from './simpletcp.js';
import { sipOptions } from './sip.js';

// Authen::Radius 0.32: add_attributes(User-Name "ldirectord", User-Password "a password longer
// than 16", NAS-IP-Address 127.0.0.1), secret "s3cret", its gen_authenticator replaced by one
// returning 00112233..eeff, send_packet(ACCESS_REQUEST) captured on a UDP socket (id 0xcf was its
// counter then).
const AUTHEN_RADIUS_REQUEST = '01cf004800112233445566778899aabbccddeeff010c6c6469726563746f726402222ac4f5f012ffa5e2e864dad0371954deebcec2b9f143cbed1fd03e0fecf5543a04067f000001';
const RA = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

test('radius Access-Request: byte for byte what Authen::Radius sends (RFC 2865 §5.2 password hiding)', (t) => {
  const req = encodeAccessRequest({ id: 0xcf, authenticator: RA, user: 'ldirectord', password: 'a password longer than 16', secret: 's3cret', nasIp: '127.0.0.1', messageAuthenticator: false });
  t.is(req.toString('hex'), AUTHEN_RADIUS_REQUEST);
  t.is(hidePassword(Buffer.alloc(0), Buffer.from('s'), RA).length, 16, 'an empty password is one block of NULs');
});

test('radius Access-Request with Message-Authenticator: HMAC-MD5 over the packet with the field zeroed (RFC 3579 §3.2)', (t) => {
  const req = encodeAccessRequest({ id: 0xcf, authenticator: RA, user: 'ldirectord', password: 'a password longer than 16', secret: 's3cret', nasIp: '127.0.0.1', messageAuthenticator: true });
  t.is(req.readUInt16BE(2), 0x48 + 18);
  t.is(req.subarray(0, 0x48).subarray(20).toString('hex'), AUTHEN_RADIUS_REQUEST.slice(40), 'the other attributes are unchanged');
  t.is(req[0x48], 80);
  t.is(req[0x49], 18);
});

function reply(code: number, id: number, secret: string, attrs = Buffer.alloc(0)): Buffer {
  const head = Buffer.from([code, id, 0, 20 + attrs.length]);
  const auth = createHash('md5').update(Buffer.concat([head, RA, attrs, Buffer.from(secret)])).digest();
  return Buffer.concat([head, auth, attrs]);
}

test('radius reply: the Response Authenticator decides; another id is ignored', (t) => {
  t.deepEqual(judgeReply(reply(ACCESS_ACCEPT, 7, 's3cret'), 7, RA, 's3cret'), { kind: 'reply', code: ACCESS_ACCEPT });
  t.deepEqual(judgeReply(reply(3, 7, 's3cret'), 7, RA, 's3cret'), { kind: 'reply', code: 3 });
  t.like(judgeReply(reply(ACCESS_ACCEPT, 7, 'other'), 7, RA, 's3cret'), { kind: 'bad', detail: 'RADIUS reply authenticator does not match (wrong secret?)' });
  t.deepEqual(judgeReply(reply(ACCESS_ACCEPT, 8, 's3cret'), 7, RA, 's3cret'), { kind: 'ignore' });
  t.like(judgeReply(Buffer.from('0207ffff', 'hex').subarray(0, 4), 7, RA, 's3cret'), { kind: 'ignore' }, 'shorter than a header');
});

// Hand-assembled per RFC 1035 §4.1: a reply to "4.3.2.1.in-addr.arpa PTR" whose answer name is
// a pointer to the question (0xc00c) and whose PTR target "www.example.test" is written out.
const PTR_REPLY = 'abcd8180000100010000000001340133013201310769' + '6e2d61646472046172706100000c0001' + 'c00c000c000100000e100012037777770765' + '78616d706c6504746573740000'.replace('0000', '00');

test('dns: A for a name, PTR of the reverse name for an address, as Net::DNS search does', (t) => {
  t.deepEqual(questionFor('www.example.test'), { name: 'www.example.test', type: 1 });
  t.deepEqual(questionFor('1.2.3.4'), { name: '4.3.2.1.in-addr.arpa', type: 12 });
  t.is(questionFor('2001:db8::1').name, `1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`);
  const q = encodeDnsQuery(0xabcd, questionFor('1.2.3.4'));
  t.is(q.ok ? q.query.toString('hex') : '', 'abcd01000001000000000000013401330132013107696e2d61646472046172706100000c0001');
});

test('dns answers: PTR names through compression pointers, A addresses; not ours is ignored', (t) => {
  const msg = Buffer.from(PTR_REPLY, 'hex');
  t.deepEqual(decodeAnswers(0xabcd, msg), { kind: 'answers', rcode: 0, answers: [{ type: 'PTR', value: 'www.example.test' }] });
  t.deepEqual(decodeAnswers(0x1111, msg), { kind: 'ignore' });
  t.like(decodeAnswers(0xabcd, msg.subarray(0, 40)), { kind: 'bad' });
  const loop = Buffer.from('c000', 'hex');
  t.is(readName(loop, 0), undefined, 'a pointer loop ends');
  const a = Buffer.concat([Buffer.from('00018180000000010000000001610000010001000000050004c6336402', 'hex')]);
  t.deepEqual(decodeAnswers(1, a), { kind: 'answers', rcode: 0, answers: [{ type: 'A', value: '198.51.100.2' }] });
});

test('ftp PASV reply port (RFC 959 §4.1.2); simpletcp payload; perl lines; IMAP quoting', (t) => {
  t.is(pasvPort('227 Entering Passive Mode (127,0,0,1,195,80).'), 195 * 256 + 80);
  t.is(pasvPort('227 =127,0,0,1,0,21'), 21);
  t.is(pasvPort('227 nothing'), undefined);
  t.is(simpletcpPayload('/GET status\\n\\n'), 'GET status\n\n');
  t.deepEqual(perlLines('a\nb\nc'), ['a\n', 'b\n', 'c']);
  t.is(imapQuote('p"a\\ss'), '"p\\"a\\\\ss"');
});

test('sip OPTIONS is ldirectord\'s request; http hops name the Host and the target', (t) => {
  const r = sipOptions('ldirectord@dir1', { address: '10.0.0.1', port: 5070 }, '0011223344556677');
  t.is(r.split('\r\n')[0], 'OPTIONS sip:ldirectord@dir1 SIP/2.0');
  t.true(r.includes('Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKhjhs8ass877\r\n'));
  t.true(r.endsWith('Content-Length: 0\r\n\r\n'));
  const url = new URL('http://10.0.0.2:8080/alive.html?x=1');
  t.is(hopRequest({ url, method: 'GET', host: 'www.example.test' }, false), 'GET /alive.html?x=1 HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: lvsd (ldirectord check)\r\nConnection: close\r\n\r\n');
  t.is(hopRequest({ url, method: 'HEAD' }, true).split('\r\n').slice(0, 2).join('|'), 'HEAD http://10.0.0.2:8080/alive.html?x=1 HTTP/1.1|Host: 10.0.0.2:8080');
});
