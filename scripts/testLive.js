// `npm run test:live`: builds the live contract suite and runs it against the real services (test/live/main.ts).
const { execFileSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
execFileSync(process.execPath, ['esbuild.js', '--tests'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, VISEN_TEST_BUNDLES: 'live' },
});
try {
  execFileSync(process.execPath, ['--enable-source-maps', path.join('out', 'test', 'live', 'main.js')], { cwd: root, stdio: 'inherit' });
} catch {
  process.exit(1);
}
