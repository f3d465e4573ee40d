#!/usr/bin/env node
// Lists every configuration keyword of a keepalived source tree, with the block it belongs to,
// by replaying the parser's keyword registration (install_keyword_root / install_keyword /
// install_sublevel in lib/parser.c) as the vrrp, checker and bfd children run it, under the
// feature macros of Debian 12's keepalived 2.2.7 build (`keepalived -v`: NFTABLES LVS REGEX
// VRRP VRRP_AUTH VRRP_VMAC JSON BFD ... SNMP_* DBUS, track_process not disabled, SO_MARK, VRF).
//
//   git -C KEEPALIVED archive v2.2.7 keepalived lib | tar -x -C DIR
//   node scripts/keepalived-keywords.mjs DIR > test/fixtures/keepalived/keywords-2.2.7.txt
//
// Output: one `PATH KEYWORD` line per keyword, PATH being the enclosing blocks joined by "/"
// ("top" at the top level), sorted. Branches of a C `if` are all taken (the bfd_instance root is
// registered once per child, with different handlers), except install_checker_common_keywords'
// connection keywords, which follow its boolean argument.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DEFINED = new Set([
  '_WITH_VRRP_', '_WITH_LVS_', '_WITH_VRRP_AUTH_', '_HAVE_VRRP_VMAC_', '_HAVE_VRRP_IPVLAN_', '_WITH_REGEX_CHECK_',
  '_WITH_REGEX_TIMERS_', '_WITH_JSON_', '_WITH_BFD_', '_WITH_TRACK_PROCESS_', '_WITH_NFTABLES_', '_WITH_FIREWALL_',
  '_WITH_SNMP_', '_WITH_SNMP_KEEPALIVED_', '_WITH_SNMP_VRRP_', '_WITH_SNMP_CHECKER_', '_WITH_SNMP_RFC_',
  '_WITH_SNMP_RFCV2_', '_WITH_SNMP_RFCV3_', '_WITH_DBUS_', '_WITH_SO_MARK_', '_HAVE_VRF_', '_WITH_LINKBEAT_',
  '_WITH_UNICAST_CHKSUM_COMPAT_', '_HAVE_IPVS_SYNCD_ATTRIBUTES_', '_WITH_LVS_64BIT_STATS_', '_HAVE_IPVS_TUN_TYPE_',
  '_HAVE_IPVS_TUN_CSUM_', '_HAVE_IPVS_TUN_GRE_', '_HAVE_SSL_SET_TLSEXT_HOST_NAME_', '_HAVE_LIBNL3_',
  '_HAVE_IPV4_DEVCONF_', '_USE_SYSTEMD_NOTIFY_', 'LIBIPVS_USE_NL', 'IP_VS_SVC_F_SCHED1',
  'HAVE_DECL_IPVS_DEST_ATTR_ADDR_FAMILY', 'HAVE_TLS_METHOD', 'HAVE_SSL_SET0_RBIO', 'HAVE_OPENSSL_INIT_CRYPTO',
]);

const FILES = [
  'keepalived/core/global_parser.c', 'keepalived/vrrp/vrrp_parser.c', 'keepalived/check/check_parser.c',
  'keepalived/check/check_api.c', 'keepalived/check/check_misc.c', 'keepalived/check/check_smtp.c',
  'keepalived/check/check_tcp.c', 'keepalived/check/check_ping.c', 'keepalived/check/check_udp.c',
  'keepalived/check/check_http.c', 'keepalived/check/check_dns.c', 'keepalived/check/check_file.c',
  'keepalived/check/check_bfd.c', 'keepalived/bfd/bfd_parser.c', 'keepalived/trackers/track_file.c',
];

function condition(expr) {
  const js = expr.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '')
    .replace(/defined\s*\(?\s*(\w+)\s*\)?/g, (_m, n) => (DEFINED.has(n) ? '1' : '0'))
    .replace(/\b[A-Za-z_]\w*\b/g, (n) => (DEFINED.has(n) ? '1' : '0'))
    .replace(/(\d+)UL\b/g, '$1');
  return Boolean(Function(`return (${js});`)());
}

/** The source with inactive #if branches blanked out. */
function preprocess(text) {
  const out = [];
  const stack = []; // { active, taken, parent }
  const on = () => stack.every((f) => f.active);
  for (const line of text.split('\n')) {
    const def = /^\s*#\s*define\s+(\w+)\s*$/.exec(line);
    if (def && on()) DEFINED.add(def[1]);
    const m = /^\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b\s*(.*)$/.exec(line);
    if (!m) { out.push(on() ? line : ''); continue; }
    const [, d, rest] = m;
    const arg = rest.replace(/\/\*.*$/, '').trim();
    if (d === 'ifdef' || d === 'ifndef' || d === 'if') {
      const v = d === 'ifdef' ? DEFINED.has(arg) : d === 'ifndef' ? !DEFINED.has(arg) : condition(arg);
      stack.push({ active: v, taken: v });
    } else if (d === 'elif') {
      const f = stack[stack.length - 1];
      f.active = !f.taken && condition(arg);
      f.taken ||= f.active;
    } else if (d === 'else') {
      const f = stack[stack.length - 1];
      f.active = !f.taken;
      f.taken = true;
    } else stack.pop();
    out.push('');
  }
  return out.join('\n');
}

const functions = new Map();
const root = process.argv[2];
if (!root) { process.stderr.write('usage: keepalived-keywords.mjs KEEPALIVED_SOURCE_DIR\n'); process.exit(2); }
for (const f of FILES) {
  const text = preprocess(readFileSync(join(root, f), 'utf8'));
  for (const m of text.matchAll(/^(\w+)\((.*?)\)\s*\n\{\n([\s\S]*?)\n\}/gm)) {
    const params = m[2].split(',').map((p) => p.trim().split(/[\s*]+/).pop());
    functions.set(m[1], { params, body: m[3] });
  }
}

const tree = []; // roots: { name, subs: [] }
let level = 0;
const CALL = /\b(install_keyword_root|install_keyword_conditional|install_keyword|install_sublevel_end|install_sublevel|(\w+))\s*\(([^;{}]*?)\)\s*;/g;

function add(name) {
  let node = tree[tree.length - 1];
  for (let i = 0; i < level; i++) node = node.subs[node.subs.length - 1];
  node.subs.push({ name, subs: [] });
}

function run(fn, args) {
  const f = functions.get(fn);
  let body = f.body;
  const env = new Map(f.params.map((p, i) => [p, args[i]]));
  if (fn === 'install_checker_common_keywords' && args[0] === 'false') body = body.replace(/if \(connection_keywords\) \{[\s\S]*?\n\t\}/, '');
  for (const m of body.matchAll(CALL)) {
    const [, call, other, argText] = m;
    const callArgs = argText.split(',').map((a) => a.trim());
    const name = () => { const a = callArgs[0]; return a.startsWith('"') ? a.slice(1, -1) : env.get(a)?.slice(1, -1); };
    if (call === 'install_keyword_root') tree.push({ name: name(), subs: [] });
    else if (call === 'install_keyword' || call === 'install_keyword_conditional') add(name());
    else if (call === 'install_sublevel') level++;
    else if (call === 'install_sublevel_end') level--;
    else if (other && functions.has(other) && other !== fn) run(other, callArgs);
  }
}

for (const init of ['init_global_keywords', 'init_vrrp_keywords', 'init_check_keywords', 'init_bfd_keywords', 'add_track_file_keywords']) {
  level = 0;
  run(init, ['true']);
}

const lines = new Set();
function walk(node, path) {
  lines.add(`${path} ${node.name}`);
  const inner = path === 'top' ? node.name : `${path}/${node.name}`;
  for (const s of node.subs) walk(s, inner);
}
for (const r of tree) walk(r, 'top');
process.stdout.write(`${[...lines].sort().join('\n')}\n`);
