// `npm run test:e2e`: packages dist/visen.vsix exactly as it ships, builds the UI tests, and runs them with
// mocha in plain Node; each test installs the .vsix into a fresh code-server and drives it with Chromium.
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
run(npm, ['run', '--silent', 'package']);
run(process.execPath, ['esbuild.js', '--tests'], { VISEN_TEST_BUNDLES: 'harness' });
run(process.execPath, [
  require.resolve('mocha/bin/mocha.js'),
  // .mocharc.json describes the unit tests; these have their own spec and much longer timeouts.
  '--no-config',
  '--no-package',
  '--enable-source-maps',
  '--timeout',
  process.env.VISEN_E2E_TIMEOUT_MS ?? '300000',
  ...process.argv.slice(2),
  'out/test/e2e/**/*.test.js',
]);
