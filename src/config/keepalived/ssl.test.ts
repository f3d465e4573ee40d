import test from 'ava';
import type { CheckProbe } from '../../model/index.js';
import { loadText as load } from './load.fixture.js';

const VS = 'virtual_server 192.0.2.1 443 {\n lb_algo rr\n lb_kind DR\n protocol TCP\n real_server 192.0.2.10 443 {\n  SSL_GET {\n   url {\n    path /\n   }\n  }\n  HTTP_GET {\n   url {\n    path /\n   }\n  }\n }\n}\n';

function probes(text: string): CheckProbe[] {
  const r = load(text);
  return r.config?.services.flatMap((s) => s.reals.flatMap((rs) => rs.health?.checks.map((c) => c.probe) ?? [])) ?? [];
}

test('SSL { ca certificate key password } reaches every SSL_GET, not HTTP_GET, wherever the block is (after the virtual_server here)', (t) => {
  const r = load(`${VS}SSL {\n ca /etc/k/ca.pem\n certificate /etc/k/client.pem\n key /etc/k/client.key\n password "se cret"\n}\n`);
  t.deepEqual(r.errors, []);
  t.deepEqual(r.warnings, []);
  const [ssl, http] = probes(`${VS}SSL {\n ca /etc/k/ca.pem\n certificate /etc/k/client.pem\n key /etc/k/client.key\n password "se cret"\n}\n`);
  t.like(ssl, { kind: 'http', tls: true, clientTls: { ca: '/etc/k/ca.pem', certificate: '/etc/k/client.pem', key: '/etc/k/client.key', password: 'se cret' } });
  t.like(http, { kind: 'http', tls: false });
  t.false(http !== undefined && 'clientTls' in http);
});

test('without an SSL block, or with an empty one, SSL_GET has no client files', (t) => {
  for (const text of [VS, `SSL {\n}\n${VS}`]) {
    const [ssl] = probes(text);
    t.true(ssl !== undefined && !('clientTls' in ssl));
  }
});

test('a second SSL block replaces the first, with keepalived\'s warning; a repeated file keyword: the last wins', (t) => {
  const text = `SSL {\n ca /a.pem\n certificate /c1.pem\n certificate /c2.pem\n}\nSSL {\n key /k.pem\n}\n${VS}`;
  const r = load(text);
  t.deepEqual(r.errors, []);
  t.deepEqual(r.warnings, [
    'k.conf:4:2: "certificate" given again in SSL (first at k.conf:3:2); the last one wins, as in keepalived',
    'k.conf:6:1: SSL given again: this block replaces the earlier one, as keepalived 2.2.7 does ("SSL context already specified - replacing")',
  ]);
  t.like(probes(text)[0], { clientTls: { key: '/k.pem' } });
  t.false(JSON.stringify(probes(text)[0]).includes('c2.pem'));
});

test('SSL file keywords take one value; others are unknown keywords with a suggestion', (t) => {
  const r = load(`SSL {\n ca\n certificat /c.pem\n}\n${VS}`);
  t.is(r.errors.length, 2);
  t.regex(r.errors[0] ?? '', /^k\.conf:2:2: .*ca/);
  t.regex(r.errors[1] ?? '', /^k\.conf:3:2: .*certificat.*did you mean "certificate"/);
});
