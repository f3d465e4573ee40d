// Bundles tsc's output (dist/src) into dist/bundle, what bin/lvsd and bin/lvsctl run.
// Why: Node's ESM loader resolves and reads each module on its own. lvsd's director is ~220
// modules of its own and ~150 of its packages; under the lab's emulation (QEMU TCG, files over
// 9p) loading them took 5.5 s before lvsd logged its first line, 2.2 s bundled. A Raspberry Pi
// reading an SD card pays the same per file. A restarted master must advertise again before
// its backup's down timer runs out (README "Restarting lvsd on the master").
// The packages go in too: an ESM import of a CommonJS file has Node lex it for its exports, and
// netlink's generated structs are large. Outside stay those only some health checks load, and
// node-gyp-build, which finds netlink's prebuilt binding from netlink's own folder.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true }); // no chunk of an earlier build is left

await build({
  entryPoints: ['dist/src/cli/lvsd.js', 'dist/src/cli/lvsctl.js', 'dist/src/vrrp/worker-entry.js'],
  outdir: 'dist/bundle',
  entryNames: '[name]', // worker-start.ts finds worker-entry.js beside itself
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  keepNames: true, // error and class names stay as written
  sourcemap: 'linked',
  external: ['pg', 'mysql2', 'ldapts', 'node-gyp-build'],
  plugins: [netlinkBinding()],
  // CommonJS packages bundled into ESM call require() for Node's built-ins
  banner: { js: "import { createRequire as lvsdCreateRequire } from 'node:module'; const require = lvsdCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

/** netlink's dist/raw.js loads its binding from `__dirname + '/..'`: in the bundle, netlink's folder as resolved at run time. */
function netlinkBinding() {
  const needle = "require('node-gyp-build')(__dirname + '/..')";
  return {
    name: 'netlink-binding',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]netlink[\\/]dist[\\/]raw\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(needle)) throw new Error(`${args.path}: no ${needle} (netlink changed: see scripts/bundle.mjs)`);
        return { contents: text.replace(needle, "require('node-gyp-build')(require('node:path').dirname(require.resolve('netlink/package.json')))"), loader: 'js' };
      });
    },
  };
}
