// `npm run bench`: builds the production bundles and the benchmark, then runs it.
// The benchmark prints a table and writes test-artifacts/bench.json, docs/performance.md and docs/images/bench-*.svg;
// see test/bench/bench.ts. Exits non-zero when a target is missed. `--checks` runs only the checks that do not
// time anything (a step of `npm test`).
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// --production: what users install (dist/, dist/meta.json); --bench: out/bench/{bench,activationProbe}.js.
run(['esbuild.js', '--production', '--bench']);
// --expose-gc: the stored-state section reads the heap after a full collection.
run(['--enable-source-maps', '--expose-gc', path.join('out', 'bench', 'bench.js'), ...process.argv.slice(2)]);
