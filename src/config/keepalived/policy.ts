/**
 * What lvsd does with each keyword keepalived 2.2.7 accepts, block by block: implemented with
 * keepalived's meaning, accepted with a warning that says what lvsd does instead (only where
 * that cannot change which box holds a VIP or where traffic goes), or refused. The keyword
 * list is keepalived 2.2.7's own (acassen/keepalived tag v2.2.7, commit e7c9e7f; extracted by
 * scripts/keepalived-keywords.mjs into test/fixtures/keepalived/keywords-2.2.7.txt, and
 * policy.test.ts keeps this module equal to it and to the parser's tables in tables.ts).
 * Blocks are named by their nesting: "top", "global_defs", "virtual_server/real_server/HTTP_GET".
 */

export type Status = 'implemented' | 'warned' | 'refused';

/** What a warned keyword may be followed by (keepalived checks these too). */
export type ArgShape = 'none' | 'bool' | 'one' | 'block' | 'any';

export interface KeywordPolicy {
  readonly block: string;
  readonly keyword: string;
  readonly status: Status;
  /** warned: what lvsd does instead; refused: why not. */
  readonly why?: string;
  readonly args?: ArgShape;
  /** A keyword of a keepalived newer than 2.2.7 that lvsd implements. */
  readonly since?: string;
}

type Row = readonly [block: string, keywords: string, status: Status, why?: string, args?: ArgShape];

const RS = 'virtual_server/real_server';
const CHECKS = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'PING_CHECK', 'SMTP_CHECK', 'SMTP_CHECK/host', 'DNS_CHECK', 'UDP_CHECK', 'MISC_CHECK'];
const CONNECTED = CHECKS.filter((c) => c !== 'MISC_CHECK');
const TIMING = 'alpha connect_timeout delay_before_retry delay_loop retry warmup';
const CONNECTION = 'bind_if bind_port bindto connect_ip connect_port';

const LATER = 'not implemented yet';
const PROCESS = 'lvsd is one process (VRRP in a worker thread, checks in the main thread); set scheduling, CPU affinity, memory locking and limits on the lvsd service instead (systemd CPUSchedulingPolicy=, CPUAffinity=, LimitMEMLOCK=)';
const NAMES = 'lvsd has no child processes to name';
const BUFFERS = 'lvsd sizes its own netlink and VRRP socket buffers';
const RELOAD = 'lvsd reloads on SIGHUP or `lvsctl reload`, validating the whole file first and keeping the running config when it is invalid; it saves no config copies';
const MAIL = 'lvsd sends no mail; it logs every state change (events vrrp.role, check.state) for your log shipper to alert on';
const SNMP = 'lvsd has no SNMP agent; `lvsctl vrrp --json` and `lvsctl checks --json` show the same facts';
const DBUS = 'lvsd has no D-Bus interface; `lvsctl vrrp --json` shows the instance states';
const FIFO = 'lvsd writes VRRP events to notify_fifo / vrrp_notify_fifo only, no checker events; `lvsctl checks --json` and the check.state log events show those';
const FIREWALL = 'lvsd installs no firewall rules: keepalived adds them only for instances that refuse traffic to their VIPs (no_accept, vrrp_strict), which lvsd does not support';
const BFD = 'lvsd has no BFD';

const ROWS: readonly Row[] = [
  ['top', 'SSL global_defs track_file virtual_server virtual_server_group vrrp_instance vrrp_script vrrp_sync_group vrrp_track_file vrrp_track_process', 'implemented'],
  ['top', 'bfd_instance', 'refused', BFD],
  ['top', 'static_ipaddress static_routes static_rules', 'implemented'],
  ['top', 'garp_group linkbeat_interfaces track_group interface_up_down_delays net_namespace net_namespace_ipvs instance use_pid_dir child_wait_time', 'refused', LATER],
  ['top', 'linkbeat_use_polling', 'warned', 'lvsd follows link state through rtnetlink and does not poll', 'none'],
  ['top', 'namespace_with_ipsets', 'warned', 'lvsd runs in the namespace it is started in and uses no ipsets', 'none'],

  ['global_defs', 'enable_script_security lvs_sync_daemon router_id script_user vrrp_garp_interval vrrp_garp_master_delay vrrp_garp_master_refresh vrrp_garp_master_refresh_repeat vrrp_garp_master_repeat vrrp_gna_interval vrrp_version', 'implemented'],
  ['global_defs', 'default_interface lvs_timeouts notify_fifo notify_fifo_script vrrp_garp_lower_prio_delay vrrp_garp_lower_prio_repeat vrrp_higher_prio_send_advert vrrp_lower_prio_no_advert vrrp_notify_fifo vrrp_notify_fifo_script vrrp_notify_priority_changes vrrp_skip_check_adv_addr', 'implemented'],
  ['global_defs', 'notification_email', 'warned', MAIL, 'block'],
  ['global_defs', 'notification_email_from smtp_server smtp_connect_timeout smtp_helo_name smtp_alert smtp_alert_vrrp smtp_alert_checker no_email_faults no_checker_emails', 'warned', MAIL],
  ['global_defs', 'enable_snmp_keepalived enable_snmp_vrrp enable_snmp_checker enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 enable_traps snmp_socket', 'warned', SNMP],
  ['global_defs', 'enable_dbus dbus_service_name', 'warned', DBUS],
  ['global_defs', 'lvs_notify_fifo lvs_notify_fifo_script fifo_write_vrrp_states_on_reload', 'warned', FIFO],
  ['global_defs', 'rs_init_notifies', 'warned', 'lvsd runs notify scripts on state changes only'],
  ['global_defs', 'vrrp_iptables nftables nftables_counters nftables_ifindex nftables_priority', 'warned', FIREWALL],
  ['global_defs', 'nftables_ipvs nftables_ipvs_priority nftables_ipvs_start_fwmark', 'warned', 'lvsd programs every address of a virtual_server_group range as its own IPVS service instead of marking them with nftables; the same real servers receive the traffic'],
  ['global_defs', 'vrrp_priority vrrp_rt_priority vrrp_cpu_affinity vrrp_no_swap vrrp_rlimit_rtime vrrp_rlimit_rttime checker_priority checker_rt_priority checker_cpu_affinity checker_no_swap checker_rlimit_rtime checker_rlimit_rttime bfd_priority bfd_rt_priority bfd_cpu_affinity bfd_no_swap bfd_rlimit_rtime bfd_rlimit_rttime max_auto_priority min_auto_priority_delay', 'warned', PROCESS],
  ['global_defs', 'process_names process_name vrrp_process_name checker_process_name bfd_process_name lvs_process_name', 'warned', NAMES],
  ['global_defs', 'vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs vrrp_netlink_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs process_monitor_rcv_bufs_force vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier', 'warned', BUFFERS],
  ['global_defs', 'config_save_dir include_check reload_check_config reload_file reload_repeat reload_time_file tmp_config_directory data_use_instance', 'warned', RELOAD],
  ['global_defs', 'checker_log_all_failures', 'warned', 'lvsd logs one line per state change with the failing attempt\'s reason, and `lvsctl checks` shows every last result'],
  ['global_defs', 'log_unknown_vrids', 'warned', 'lvsd counts adverts for other virtual routers as drops (`lvsctl vrrp`) instead of logging each', 'none'],
  ['global_defs', 'umask', 'warned', 'lvsd creates its files with its own modes (the control socket is root-only)'],
  ['global_defs', 'random_seed', 'warned', 'lvsd does not use a seeded random generator'],
  ['global_defs', 'disable_local_igmp', 'warned', 'lvsd leaves the IGMP settings of the interfaces as they are', 'none'],
  ['global_defs', 'vmac_prefix', 'warned', 'lvsd names a virtual MAC interface vrrp.VRID unless use_vmac names it'],
  ['global_defs', 'vrrp_strict', 'refused', 'strict mode installs no_accept firewall rules that make the VIPs unreachable and forbids unicast and authentication; remove it'],
  ['global_defs', 'vrrp_mcast_group4 vrrp_mcast_group6 vrrp_min_garp vrrp_garp_extra_if vrrp_vmac_garp_intvl vrrp_check_unicast_src vrrp_down_timer_adverts vrrp_startup_delay dynamic_interfaces vmac_addr_prefix lvs_flush lvs_flush_on_stop lvs_flush_onstop', 'refused', LATER],
  ['global_defs', 'startup_script startup_script_timeout shutdown_script shutdown_script_timeout', 'refused', 'run such scripts from the service manager (systemd ExecStartPre=, ExecStopPost=)'],

  ['vrrp_instance', 'advert_int authentication garp_master_delay garp_master_refresh garp_master_refresh_repeat garp_master_repeat interface lvs_sync_daemon_interface nopreempt notify notify_backup notify_fault notify_master preempt preempt_delay priority state track_file track_interface track_process track_script unicast_peer unicast_src_ip version virtual_ipaddress virtual_router_id', 'implemented'],
  ['vrrp_instance', 'garp_lower_prio_delay garp_lower_prio_repeat higher_prio_send_advert lower_prio_no_advert mcast_src_ip notify_priority_changes notify_stop skip_check_adv_addr use_vmac virtual_ipaddress_excluded virtual_routes virtual_rules vmac_xmit_base', 'implemented'],
  ['vrrp_instance/authentication', 'auth_pass auth_type', 'implemented'],
  ['vrrp_instance', 'smtp_alert', 'warned', MAIL, 'bool'],
  ['vrrp_instance', 'debug', 'warned', 'use lvsd --log-level'],
  ['vrrp_instance', 'kernel_rx_buf_size', 'warned', BUFFERS, 'one'],
  ['vrrp_instance', 'linkbeat_use_polling', 'warned', 'lvsd follows link state through rtnetlink and does not poll', 'none'],
  ['vrrp_instance', 'accept', 'warned', 'lvsd always accepts traffic to its VIPs (keepalived\'s behaviour without vrrp_strict)', 'none'],
  ['vrrp_instance', 'notify_deleted notify_master_rx_lower_pri', 'refused', 'lvsd runs notify_master, notify_backup, notify_fault, notify_stop and notify only'],
  ['vrrp_instance', 'track_bfd', 'refused', BFD],
  ['vrrp_instance', 'use_vmac_addr use_ipvlan vrf track_src_ip mcast_dst_ip no_accept dont_track_primary strict_mode down_timer_adverts garp_extra_if vmac_garp_intvl check_unicast_src unicast_ttl unicast_fault_no_peer old_unicast_checksum native_ipv6 promote_secondaries', 'refused', LATER],

  ['vrrp_sync_group', 'global_tracking group notify notify_backup notify_fault notify_master notify_priority_changes notify_stop sync_group_tracking_weight track_file track_interface track_process track_script', 'implemented'],
  ['vrrp_sync_group', 'smtp_alert', 'warned', MAIL, 'bool'],
  ['vrrp_sync_group', 'track_bfd', 'refused', BFD],

  ['vrrp_script', 'fall init_fail interval rise script timeout user weight', 'implemented'],
  ['track_file', 'file init_file weight', 'implemented'],
  ['vrrp_track_file', 'file init_file weight', 'implemented'],
  ['vrrp_track_process', 'delay fork_delay full_command param_match process quorum quorum_max terminate_delay weight', 'implemented'],
  ['bfd_instance', 'checker hoplimit idle_tx max_hops min_rx min_tx multiplier neighbor_ip neighbour_ip passive source_ip ttl vrrp weight', 'refused', BFD],
  ['garp_group', 'garp_interval gna_interval interface interfaces', 'refused', LATER],
  ['track_group', 'group', 'refused', LATER],
  ['SSL', 'ca certificate key password', 'implemented'],

  ['virtual_server', 'alpha connect_timeout delay_before_retry delay_loop flag-1 flag-2 flag-3 ha_suspend hysteresis inhibit_on_failure ip_family lb_algo lb_kind lvs_method lvs_sched mh-fallback mh-port omega ops persistence_engine persistence_granularity persistence_timeout protocol quorum quorum_down quorum_up real_server retry sh-fallback sh-port sorry_server sorry_server_inhibit sorry_server_lvs_method virtualhost warmup weight', 'implemented'],
  ['virtual_server', 'hashed', 'refused', LATER],
  [RS, 'DNS_CHECK FILE_CHECK HTTP_GET MISC_CHECK PING_CHECK SMTP_CHECK SSL_GET TCP_CHECK UDP_CHECK alpha connect_timeout delay_before_retry delay_loop inhibit_on_failure lthreshold lvs_method notify_down notify_up retry uthreshold virtualhost warmup weight', 'implemented'],
  [RS, 'BFD_CHECK', 'refused', `${BFD}; check the real server with TCP_CHECK, PING_CHECK or another checker`],
  [`${RS}/BFD_CHECK`, 'alpha name', 'refused', BFD],
  ...(['virtual_server', RS] as const).flatMap((b): Row[] => [
    [b, 'smtp_alert', 'warned', MAIL, 'bool'],
    [b, 'snmp_name', 'warned', SNMP, 'one'],
  ]),
  ...CHECKS.flatMap((c): Row[] => [
    [`${RS}/${c}`, c === 'MISC_CHECK' ? TIMING.replace('connect_timeout ', '') : TIMING, 'implemented'],
    [`${RS}/${c}`, 'log_all_failures', 'warned', 'lvsd logs one line per state change with the failing attempt\'s reason, and `lvsctl checks` shows every last result', 'bool'],
  ]),
  ...CONNECTED.flatMap((c): Row[] => [
    [`${RS}/${c}`, CONNECTION, 'implemented'],
  ]),
  // fwmark: SO_MARK on the probe socket. TCP_CHECK and plain HTTP_GET connect through the addon,
  // which marks; the others use Node sockets, which cannot be marked.
  [`${RS}/TCP_CHECK`, 'fwmark', 'implemented'],
  [`${RS}/HTTP_GET`, 'fwmark', 'implemented'],
  ...['SSL_GET', 'SMTP_CHECK', 'SMTP_CHECK/host', 'DNS_CHECK', 'UDP_CHECK'].map((c): Row => [`${RS}/${c}`, 'fwmark', 'refused',
    'lvsd runs SSL_GET, SMTP_CHECK, DNS_CHECK and UDP_CHECK over Node sockets, which cannot be marked (SO_MARK; TCP_CHECK and HTTP_GET connect through lvsd\'s addon, which marks); route these probes by their source address (bindto) instead']),
  [`${RS}/PING_CHECK`, 'fwmark', 'warned', 'keepalived 2.2.7 accepts it on PING_CHECK but never marks the echo requests (check_ping.c sets no SO_MARK on its ICMP socket); lvsd sends them unmarked too', 'one'],
  ...['HTTP_GET', 'SSL_GET'].flatMap((c): Row[] => [
    [`${RS}/${c}`, 'enable_sni fast_recovery http_protocol nb_get_retry url virtualhost', 'implemented'],
    [`${RS}/${c}/url`, 'digest path regex regex_max_offset regex_min_offset regex_no_match regex_options status_code virtualhost', 'implemented'],
    [`${RS}/${c}/url`, 'regex_stack', 'warned', 'it sizes PCRE2\'s JIT stack, and lvsd matches with JavaScript RegExp'],
  ]),
  [`${RS}/SMTP_CHECK`, 'helo_name host', 'implemented'],
  [`${RS}/DNS_CHECK`, 'name type', 'implemented'],
  [`${RS}/UDP_CHECK`, 'max_reply_length min_reply_length payload require_reply', 'implemented'],
  [`${RS}/MISC_CHECK`, 'misc_dynamic misc_path misc_timeout user', 'implemented'],
  [`${RS}/FILE_CHECK`, 'track_file weight', 'implemented'],
];

/** Keywords of later keepalived versions that lvsd implements (not known to 2.2.7's `-t`). */
const LATER_VERSIONS: readonly KeywordPolicy[] = [
  { block: 'vrrp_instance', keyword: 'v3_checksum_as_v2', status: 'implemented', since: '2.2.8' },
];

/** Names keepalived once had: an unknown-keyword message points to today's name. */
export const RENAMED: Readonly<Record<string, string>> = { lvs_id: 'router_id' };

function expand(rows: readonly Row[]): KeywordPolicy[] {
  return rows.flatMap(([block, words, status, why, args]) => words.split(' ').filter((w) => w !== '').map((keyword) => ({
    block, keyword, status, ...(why !== undefined ? { why } : {}), ...(args !== undefined ? { args } : {}),
  })));
}

/** Every keyword of every block, in table order. */
export const POLICY: readonly KeywordPolicy[] = [...expand(ROWS), ...LATER_VERSIONS];

const BY_BLOCK = new Map<string, Map<string, KeywordPolicy>>();
for (const p of POLICY) {
  const m = BY_BLOCK.get(p.block) ?? new Map<string, KeywordPolicy>();
  m.set(p.keyword, p);
  BY_BLOCK.set(p.block, m);
}

export function policyOf(block: string, keyword: string): KeywordPolicy | undefined {
  return BY_BLOCK.get(block)?.get(keyword);
}

/** All keywords of a block, whatever their status. */
export function keywordsOf(block: string): string[] {
  return [...(BY_BLOCK.get(block)?.keys() ?? [])];
}

/** The blocks where a keyword is known, in table order. */
export function blocksOf(keyword: string): string[] {
  return [...BY_BLOCK].filter(([, m]) => m.has(keyword)).map(([b]) => b);
}

export function warnMessage(p: KeywordPolicy): string {
  return `${p.keyword} is ignored: ${p.why ?? ''}`;
}

export function refuseMessage(p: KeywordPolicy): string {
  return `keepalived's ${p.keyword} is not supported by lvsd: ${p.why ?? ''}`;
}
