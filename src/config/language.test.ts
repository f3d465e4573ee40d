/**
 * keepalived.conf's line language through the loader: definitions flow through included files
 * in reading order, the config id defaults to the host name's first label, and lexing keeps
 * the words of substituted text located.
 */
import test from 'ava';
import { formatDiagnostic } from '../model/index.js';
import { loadConfigDetailed, type LoadOptions } from './load.js';

const FILES: Record<string, string> = {
  '/k/keepalived.conf': [
    '$IF=eth0',
    'include conf.d/*.conf',
    'vrrp_instance VI_1 {',
    '  interface $IF',
    '  virtual_router_id $VRID',
    '  @lb1 priority 200',
    '  @^lb1 priority 100',
    '  virtual_ipaddress {',
    '    include vips.conf',
    '  }',
    '}',
  ].join('\n'),
  '/k/conf.d/a.conf': '$VRID=${BASE}1\n',
  '/k/conf.d/b.conf': '# defined after a.conf uses it, and still seen: values resolve when used\n$BASE=5\n',
  '/k/vips.conf': '10.0.0.1/24 dev $IF\n',
};

function load(o: Partial<LoadOptions> = {}) {
  return loadConfigDetailed({
    path: '/k/keepalived.conf', text: FILES['/k/keepalived.conf'] ?? '',
    readFile: (p) => { const t = FILES[p]; if (t === undefined) throw Object.assign(new Error(p), { code: 'ENOENT' }); return t; },
    listDir: (d) => Object.keys(FILES).filter((f) => f.startsWith(`${d}/`)).map((f) => f.slice(d.length + 1)).filter((f) => !f.includes('/')),
    ...o,
  });
}

test('definitions made before an include apply in it, and those made in it apply after it', (t) => {
  const r = load({ hostname: 'lb1.example.net' });
  t.deepEqual(r.result.ok ? [] : r.result.error.map(formatDiagnostic), []);
  if (!r.result.ok) return;
  const v = r.result.value.vrrp[0];
  t.is(v?.vrid, 51);
  t.is(v?.interface, 'eth0');
  t.deepEqual(v?.vips.map((x) => [x.address, x.dev, x.at]), [['10.0.0.1', 'eth0', { file: '/k/vips.conf', line: 1, col: 1 }]]);
});

test('the config id defaults to the host name up to its first dot; --config-id overrides it', (t) => {
  const priority = (o: Partial<LoadOptions>): number | undefined => { const r = load(o); return r.result.ok ? r.result.value.vrrp[0]?.priority : undefined; };
  t.is(priority({ hostname: 'lb1.example.net' }), 200);
  t.is(priority({ hostname: 'lb2' }), 100);
  t.is(priority({ hostname: 'lb2', configId: 'lb1' }), 200);
  t.is(priority({}), 100);
});

test('a value error in substituted text names the value and points at the reference', (t) => {
  const text = '$V=300\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id   $V\n}';
  const r = loadConfigDetailed({ path: 'k.conf', text, readFile: () => '' });
  t.deepEqual(r.result.ok ? [] : r.result.error.map(formatDiagnostic), ['k.conf:4:23: expected a virtual_router_id between 1 and 255, got "300"']);
});
