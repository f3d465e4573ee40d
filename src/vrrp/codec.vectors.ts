/**
 * VRRP test vectors: named hex VRRP messages (the IP payload only), with the IP context they
 * were sent in and where they came from. `expect` is what an independent decoder said
 * (tcpdump 4.99.3 -v, or the RFC field layout for the hand-built `ref-*` examples), never this
 * codec's own output. The `ref-*` messages were built byte by byte from the RFCs by a separate
 * Python script while lvsd was designed, before this codec existed.
 *
 * Captures ("keepalived 2.2.7 ... netns capture") were made on 2026-11-25 with:
 *   ip netns add NS; ip -n NS link add veth0 type veth peer name veth1
 *   ip -n NS link set veth0 addr 02:00:00:00:00:0a; ip -n NS addr add 192.0.2.10/24 dev veth0
 *   ip -n NS link set veth0 up; ip -n NS link set veth1 up
 *   ip netns exec NS tcpdump -i veth0 -w F.pcap -c 3 'ip proto 112 or ip6 proto 112'
 *   ip netns exec NS keepalived -n -l -D -P -f CONF -p F.pid -r F.vrrp.pid
 * (priority-0 capture: filter 'ip proto 112 and ip[22] = 0', keepalived sent SIGTERM once MASTER),
 * then the VRRP bytes cut out of each frame (IPv4: after IHL up to total length; IPv6: after
 * the 40-byte header, payload length). All three frames of each capture were identical.
 * CONF is given per vector. IPv6 link-local fe80::ff:fe00:a comes from the MAC 02:00:00:00:00:0a.
 */

export interface VectorExpect {
  readonly version: 2 | 3;
  readonly vrid: number;
  readonly priority: number;
  readonly intervalCs: number;
  readonly addrs: readonly string[];
  readonly authType: number;
  /** v2 PASS: the password as tcpdump printed it. */
  readonly password?: string;
  readonly checksumForm: 'v2' | 'ipv6' | 'pseudo' | 'rfc9568';
}

export interface Vector {
  readonly name: string;
  readonly source: string;
  readonly hex: string;
  readonly family: 4 | 6;
  readonly src: string;
  readonly dst: string;
  readonly ttl: number;
  readonly expect: VectorExpect;
}

const KA_V2_CONF = 'vrrp_version 2; vrrp_instance { state MASTER; interface veth0; virtual_router_id 51; priority 100; advert_int 1; virtual_ipaddress { 192.0.2.100 } }';
const KA_V2_PASS_CONF = 'vrrp_version 2; vrrp_instance { state MASTER; interface veth0; virtual_router_id 52; priority 150; advert_int 1; authentication { auth_type PASS; auth_pass secret }; virtual_ipaddress { 192.0.2.100; 192.0.2.101 } }';
const KA_V3V4_CONF = 'vrrp_version 3; vrrp_instance { state MASTER; interface veth0; virtual_router_id 51; priority 200; advert_int 0.5; virtual_ipaddress { 192.0.2.100 } }';
const KA_V3V6_CONF = 'vrrp_version 3; vrrp_instance { state MASTER; interface veth0; virtual_router_id 10; priority 100; advert_int 0.1; virtual_ipaddress { fe80::1; 2001:db8::1 } }';

export const vectors: readonly Vector[] = [
  {
    name: 'ref-ex1-v2',
    source: 'hand-built from RFC 3768 §5 (Python script); tcpdump 4.99.3: "VRRPv2, Advertisement, vrid 51, prio 100, authtype none, intvl 1s, length 20, addrs: 192.0.2.100"',
    hex: '213364010001b865c00002640000000000000000',
    family: 4, src: '192.0.2.10', dst: '224.0.0.18', ttl: 255,
    expect: { version: 2, vrid: 51, priority: 100, intervalCs: 100, addrs: ['192.0.2.100'], authType: 0, checksumForm: 'v2' },
  },
  {
    name: 'ref-ex2-v3v4-rfc9568',
    source: 'hand-built from RFC 9568 §5.2.8 (message-only checksum); byte-identical to the first 12 bytes of keepalived 9cbce3e test/auth_hmac_test.c ipv4_vec',
    hex: '3133c80100644402c0000264',
    family: 4, src: '198.51.100.10', dst: '224.0.0.18', ttl: 255,
    expect: { version: 3, vrid: 51, priority: 200, intervalCs: 100, addrs: ['192.0.2.100'], authType: 0, checksumForm: 'rfc9568' },
  },
  {
    name: 'ref-ex2-v3v4-pseudo',
    source: 'hand-built: the message above with RFC 5798 §5.2.8 read as keepalived 2.2.7 does (IPv4 pseudo-header); tcpdump 4.99.3 accepts its checksum',
    hex: '3133c80100643935c0000264',
    family: 4, src: '198.51.100.10', dst: '224.0.0.18', ttl: 255,
    expect: { version: 3, vrid: 51, priority: 200, intervalCs: 100, addrs: ['192.0.2.100'], authType: 0, checksumForm: 'pseudo' },
  },
  {
    name: 'ref-ex3-v3v6',
    source: 'hand-built from RFC 5798 §5.2.8 with the RFC 8200 §8.1 pseudo-header; the checksum equals what Linux computes on a raw socket with IPV6_CHECKSUM 6',
    hex: '310a6402000a3f75fe80000000000000000000000000000120010db8000000000000000000000001',
    family: 6, src: 'fe80::200:ff:fe00:a', dst: 'ff02::12', ttl: 255,
    expect: { version: 3, vrid: 10, priority: 100, intervalCs: 10, addrs: ['fe80::1', '2001:db8::1'], authType: 0, checksumForm: 'ipv6' },
  },
  {
    name: 'ref-ex4-v3v4-priority0',
    source: 'hand-built: ref-ex2-v3v4-rfc9568 with priority 0 (resignation, RFC 9568 §6.4.3), message-only checksum',
    hex: '313300010064' + '0c03' + 'c0000264',
    family: 4, src: '198.51.100.10', dst: '224.0.0.18', ttl: 255,
    expect: { version: 3, vrid: 51, priority: 0, intervalCs: 100, addrs: ['192.0.2.100'], authType: 0, checksumForm: 'rfc9568' },
  },
  {
    name: 'keepalived-2.2.7-v2',
    source: `keepalived 2.2.7 VRRPv2, netns capture; CONF: ${KA_V2_CONF}; tcpdump: "VRRPv2, Advertisement, vrid 51, prio 100, authtype none, intvl 1s, length 20, addrs: 192.0.2.100"`,
    hex: '213364010001b865c00002640000000000000000',
    family: 4, src: '192.0.2.10', dst: '224.0.0.18', ttl: 255,
    expect: { version: 2, vrid: 51, priority: 100, intervalCs: 100, addrs: ['192.0.2.100'], authType: 0, checksumForm: 'v2' },
  },
  {
    name: 'keepalived-2.2.7-v2-pass',
    source: `keepalived 2.2.7 VRRPv2 auth_type PASS, netns capture; CONF: ${KA_V2_PASS_CONF}; tcpdump: "vrid 52, prio 150, authtype simple, intvl 1s, length 24, addrs(2): 192.0.2.100,192.0.2.101 auth \\"secret\\""`,
    hex: '21349602010186b1c0000264c00002657365637265740000',
    family: 4, src: '192.0.2.10', dst: '224.0.0.18', ttl: 255,
    expect: { version: 2, vrid: 52, priority: 150, intervalCs: 100, addrs: ['192.0.2.100', '192.0.2.101'], authType: 1, password: 'secret', checksumForm: 'v2' },
  },
  {
    name: 'keepalived-2.2.7-v3v4',
    source: `keepalived 2.2.7 VRRPv3/IPv4 (default: IPv4 pseudo-header checksum), netns capture; CONF: ${KA_V3V4_CONF}; tcpdump: "VRRPv3, Advertisement, vrid 51, prio 200, intvl 50cs, length 12, addrs: 192.0.2.100"`,
    hex: '3133c8010032a19ac0000264',
    family: 4, src: '192.0.2.10', dst: '224.0.0.18', ttl: 255,
    expect: { version: 3, vrid: 51, priority: 200, intervalCs: 50, addrs: ['192.0.2.100'], authType: 0, checksumForm: 'pseudo' },
  },
  {
    name: 'keepalived-2.2.7-v3v4-priority0-on-term',
    source: `keepalived 2.2.7 VRRPv3/IPv4 after SIGTERM as MASTER ("sent 0 priority"), netns capture; CONF: ${KA_V3V4_CONF}; tcpdump: "vrid 51, prio 0, intvl 50cs, length 12, addrs: 192.0.2.100"`,
    hex: '313300010032699bc0000264',
    family: 4, src: '192.0.2.10', dst: '224.0.0.18', ttl: 255,
    expect: { version: 3, vrid: 51, priority: 0, intervalCs: 50, addrs: ['192.0.2.100'], authType: 0, checksumForm: 'pseudo' },
  },
  {
    name: 'keepalived-2.2.7-v3v6',
    source: `keepalived 2.2.7 VRRPv3/IPv6 (kernel IPV6_CHECKSUM), netns capture; CONF: ${KA_V3V6_CONF}; tcpdump: "hlim 255 ... fe80::ff:fe00:a > ff02::12: VRRPv3, Advertisement, vrid 10, prio 100, intvl 10cs, length 40, addrs(2): fe80::1,2001:db8::1"`,
    hex: '310a6402000a4175fe80000000000000000000000000000120010db8000000000000000000000001',
    family: 6, src: 'fe80::ff:fe00:a', dst: 'ff02::12', ttl: 255,
    expect: { version: 3, vrid: 10, priority: 100, intervalCs: 10, addrs: ['fe80::1', '2001:db8::1'], authType: 0, checksumForm: 'ipv6' },
  },
];
