/**
 * The RADIUS exchange of ldirectord's radius check (pure; MD5 and HMAC-MD5 via node:crypto).
 * Written by hand rather than with the npm `radius` package: that package has had no release
 * since 2018, loads dictionary files from disk when imported, and this check needs one request
 * and one reply: an Access-Request (RFC 2865 §4.1) with User-Name, User-Password hidden as
 * §5.2 says, NAS-IP-Address (Authen::Radius sends the socket's own address) and a
 * Message-Authenticator (RFC 3579 §3.2; Authen::Radius does not send one, but servers that
 * require it, as FreeRADIUS may since the 2024 BlastRADIUS advisory, accept the request then,
 * and others ignore it), and the reply checked as Authen::Radius checks it: the Response
 * Authenticator (§3) and, when present, the reply's Message-Authenticator.
 */
import { createHash, createHmac } from 'node:crypto';
import net from 'node:net';

/** RFC 2865 §3 codes. */
export const ACCESS_REQUEST = 1;
export const ACCESS_ACCEPT = 2;
export const ACCESS_REJECT = 3;
export const ACCESS_CHALLENGE = 11;
const USER_NAME = 1;
const USER_PASSWORD = 2;
const NAS_IP_ADDRESS = 4;
const MESSAGE_AUTHENTICATOR = 80;

const md5 = (...parts: Buffer[]): Buffer => createHash('md5').update(Buffer.concat(parts)).digest();

function attribute(type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
}

/** RFC 2865 §5.2: pad with NULs to 16-byte blocks, c1 = p1 ^ MD5(S + RA), ci = pi ^ MD5(S + ci-1). */
export function hidePassword(password: Buffer, secret: Buffer, authenticator: Buffer): Buffer {
  const padded = Buffer.alloc(Math.max(16, Math.ceil(password.length / 16) * 16));
  password.copy(padded);
  const out = Buffer.alloc(padded.length);
  let prev = authenticator;
  for (let i = 0; i < padded.length; i += 16) {
    const key = md5(secret, prev);
    for (let j = 0; j < 16; j++) out[i + j] = (padded[i + j] ?? 0) ^ (key[j] ?? 0);
    prev = out.subarray(i, i + 16);
  }
  return out;
}

export interface AccessRequest {
  readonly id: number;
  /** 16 random bytes. */
  readonly authenticator: Buffer;
  readonly user: string;
  readonly password: string;
  readonly secret: string;
  /** IPv4 NAS-IP-Address; omitted when not IPv4. */
  readonly nasIp: string;
  readonly messageAuthenticator: boolean;
}

export function encodeAccessRequest(r: AccessRequest): Buffer {
  const secret = Buffer.from(r.secret, 'latin1');
  const attrs = [
    attribute(USER_NAME, Buffer.from(r.user, 'latin1')),
    attribute(USER_PASSWORD, hidePassword(Buffer.from(r.password, 'latin1'), secret, r.authenticator)),
    ...(net.isIPv4(r.nasIp) ? [attribute(NAS_IP_ADDRESS, Buffer.from(r.nasIp.split('.').map(Number)))] : []),
  ];
  const body = Buffer.concat(attrs);
  const length = 20 + body.length + (r.messageAuthenticator ? 18 : 0);
  const head = Buffer.from([ACCESS_REQUEST, r.id & 0xff, length >> 8, length & 0xff]);
  if (!r.messageAuthenticator) return Buffer.concat([head, r.authenticator, body]);
  const zeroed = Buffer.concat([head, r.authenticator, body, attribute(MESSAGE_AUTHENTICATOR, Buffer.alloc(16))]);
  const mac = createHmac('md5', secret).update(zeroed).digest();
  return Buffer.concat([head, r.authenticator, body, attribute(MESSAGE_AUTHENTICATOR, mac)]);
}

export type ReplyVerdict =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'reply'; readonly code: number }
  | { readonly kind: 'bad'; readonly detail: string };

/** Finds the Message-Authenticator attribute's value offset, or -1. */
function macOffset(msg: Buffer, length: number): number {
  for (let at = 20; at + 2 <= length; ) {
    const len = msg[at + 1] ?? 0;
    if (len < 2) return -1;
    if (msg[at] === MESSAGE_AUTHENTICATOR && len === 18) return at + 2;
    at += len;
  }
  return -1;
}

/** A datagram judged as the reply to request `id` with `authenticator`. */
export function judgeReply(msg: Buffer, id: number, authenticator: Buffer, secret: string): ReplyVerdict {
  if (msg.length < 20 || msg[1] !== (id & 0xff)) return { kind: 'ignore' };
  const length = msg.readUInt16BE(2);
  if (length < 20 || length > msg.length) return { kind: 'bad', detail: `RADIUS reply length ${length}, datagram ${msg.length} bytes` };
  const key = Buffer.from(secret, 'latin1');
  const attrs = msg.subarray(20, length);
  const expected = md5(msg.subarray(0, 4), authenticator, attrs, key);
  if (!expected.equals(msg.subarray(4, 20))) return { kind: 'bad', detail: 'RADIUS reply authenticator does not match (wrong secret?)' };
  const mac = macOffset(msg, length);
  if (mac >= 0) {
    const copy = Buffer.from(msg.subarray(0, length));
    authenticator.copy(copy, 4);
    copy.fill(0, mac, mac + 16);
    if (!createHmac('md5', key).update(copy).digest().equals(msg.subarray(mac, mac + 16))) return { kind: 'bad', detail: 'RADIUS reply Message-Authenticator does not match' };
  }
  return { kind: 'reply', code: msg[0] ?? 0 };
}
