import test from 'ava';
import fc from 'fast-check';
import { loadConfig } from './load.js';

test('loading never throws, whatever the text', (t) => {
  const words = fc.constantFrom('vrrp_instance', 'virtual_server', 'global_defs', 'service', 'director', 'vrrp', 'include', '{', '}', '"', ';', '\n', ' ', 'x', '1', '10.0.0.1', 'real', 'real_server');
  fc.assert(
    fc.property(fc.array(words, { maxLength: 40 }), (parts) => {
      const r = loadConfig({ path: 'f', text: parts.join(' '), readFile: () => { throw Object.assign(new Error('no'), { code: 'ENOENT' }); } });
      if (!r.ok) t.true(r.error.length > 0);
    }),
  );
});
