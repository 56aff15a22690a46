// `npm run test:integration`: builds the extension and its integration tests, then runs them inside a real
// VS Code extension host (code-server; see test/harness/runIntegration.ts).
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');

function step(args, env = {}) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// --tests also builds the extension itself; only the bundles this suite needs, so a unit test being
// mid-edit cannot fail it.
step(['esbuild.js', '--tests'], { VISEN_TEST_BUNDLES: 'integration,harness' });
step(['out/test/harness/runIntegration.js']);
