/**
 * The default paths of lvsd and lvsctl (docs/cli.md): the one place they are written. The
 * daemon and net receive every path as an option and know no defaults of their own.
 */
export const DEFAULT_CONFIG = '/etc/lvsd/lvsd.conf';
export const DEFAULT_SOCKET = '/run/lvsd/lvsd.sock';
export const DEFAULT_PID_FILE = '/run/lvsd/lvsd.pid';
export const DEFAULT_LOG_FILE = '/var/log/lvsd.log';
/** Where `lvsd realserver` keeps the sysctl values it found and its VIPs, for --undo. */
export const DEFAULT_REALSERVER_STATE = '/var/lib/lvsd/realserver.json';
/** The boot-time files `lvsd realserver --persist` writes. */
export const DEFAULT_REALSERVER_SYSCTL_FILE = '/etc/sysctl.d/90-lvsd-realserver.conf';
export const DEFAULT_REALSERVER_UNIT_FILE = '/etc/systemd/system/lvsd-realserver.service';
