import test from 'ava';
import { formatConns, parseConnLine } from './conn.js';

// Lines in the kernel's format (ip_vs_conn_seq_show, 6.1).
const HEADER = 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n';

test('IPv4 entries: hex addresses and ports re-rendered, mm:ss expiry, padded columns', (t) => {
  const proc = `${HEADER}TCP CB007107 C93A C0A80A64 0050 0A00000B 0050 ESTABLISHED     897\nTCP CB007100 0000 C0A80A64 01BB 0A00000B 01BB NONE            298\n`;
  t.is(formatConns(proc),
    'IPVS connection entries\n' +
    'pro expire state       source             virtual            destination\n' +
    'TCP 14:57  ESTABLISHED 203.0.113.7:51514  192.168.10.100:80  10.0.0.11:80\n' +
    'TCP 04:58  NONE        203.0.113.0:0      192.168.10.100:443 10.0.0.11:443\n');
});

test('IPv6 entries from %pI6 full form print as inet_ntop in brackets', (t) => {
  const e = parseConnLine('TCP 2001:0db8:0000:0000:0000:0000:0000:0007 D4A2 2001:0db8:0000:0000:0000:0000:0000:0100 0050 2001:0db8:0000:0000:0000:0000:0000:0011 0050 SYN_RECV         59');
  t.is(e?.client, '[2001:db8::7]:54434');
  t.is(e?.virtual, '[2001:db8::100]:80');
  t.is(e?.dest, '[2001:db8::11]:80');
  t.is(e?.expiresS, 59);
});

test('mixed family: IPv4 client, IPv6 tunnel dest', (t) => {
  const e = parseConnLine('UDP C0000201 1000 C0000264 0035 2001:0db8:0000:0000:0000:0000:0000:0001 0035 UDP             120');
  t.is(e?.client, '192.0.2.1:4096');
  t.is(e?.dest, '[2001:db8::1]:53');
});

test('--persistent-conn: pe columns only for 11-field lines', (t) => {
  const proc = `${HEADER}UDP C0000201 13C4 C0000264 13C4 0A000001 13C4 UDP             170 sip abc@host\nTCP C0000201 C93A C0000264 0050 0A000001 0050 ESTABLISHED      61\n`;
  t.is(formatConns(proc, { persistentConn: true }),
    'IPVS connection entries\n' +
    'pro expire state       source             virtual            destination        pe name          pe_data\n' +
    'UDP 02:50  UDP         192.0.2.1:5060     192.0.2.100:5060   10.0.0.1:5060    sip                abc@host\n' +
    'TCP 01:01  ESTABLISHED 192.0.2.1:51514    192.0.2.100:80     10.0.0.1:80\n');
});

test('empty table prints only the headers; junk lines are skipped', (t) => {
  t.is(formatConns(`${HEADER}garbage\n`), 'IPVS connection entries\npro expire state       source             virtual            destination\n');
});
