// The Notion part of the unit suite again, with the Notion stand-in acting as a personal access token
// (VISEN_NOTION_TOKEN_KIND=pat: a person who sees every page they can open, no sharing needed). Expects the
// tests built (`node esbuild.js --tests`); `npm test` runs it after the unit step.
const { spawn } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
// The suites that talk to the Notion stand-in (faultSuite is left out: it rewrites docs/reliability.md).
const SUITES = [
  'anchoredWrites',
  'bundleIdentity',
  'corpusWrites',
  'databaseFill',
  'exactWrites',
  'fakes.notion',
  'fakes.notionFidelity',
  'generator',
  'outcomeWords',
  'pagePlaceholder',
  'runFaults',
  'servicesL10n',
  'notionVersions',
];
const specs = SUITES.flatMap((name) => ['--spec', `out/test/unit/${name}.test.js`]);
const child = spawn(
  process.execPath,
  [require.resolve('mocha/bin/mocha.js'), '--no-config', '--timeout', '20000', '--enable-source-maps', ...specs],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, VISEN_NOTION_TOKEN_KIND: 'pat' },
  },
);
child.on('close', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
