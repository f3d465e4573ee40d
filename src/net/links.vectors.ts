/**
 * RTM_NEWLINK payloads (struct ifinfomsg + the IFLA_IFNAME attribute), the first 24 bytes of
 * real kernel answers to RTM_GETLINK for a veth `v0` (ifindex 3) in a network namespace on
 * this project's host (Linux, x86_64, little-endian), captured with the netlink package;
 * the remaining attributes were cut at an attribute boundary.
 */
export const linkVectors = {
  /** `ip link set v0 up` with its peer up: IFF_UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP (0x11043). */
  upRunning: '000001000300000043100100000000000700030076300000',
  /** v0 up, peer v1 down: no carrier, IFF_UP|BROADCAST|MULTICAST (0x1003). */
  upNoCarrier: '000001000300000003100000000000000700030076300000',
  /** `ip link set v0 down`: IFF_BROADCAST|MULTICAST (0x1002). */
  down: '000001000300000002100000000000000700030076300000',
} as const;
