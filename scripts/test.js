// `npm test`: lint, typecheck, the bench's untimed checks, unit, integration (real extension host) and UI tests, in that order, stopping at
// the first failing step. Each step's output is passed through and its mocha summary counted, so the last
// line is `N passed, N failed` over everything that ran; a step that fails without a mocha failure (a type
// error, a build error, a crash) counts as one failure. VISEN_TEST_STEPS=integration,e2e runs a subset.
const { spawn } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const allSteps = [
  // The extension host's project, then the webviews' (its own tsconfig with the DOM library).
  // ESLint: `npm run lint`.
  { name: 'lint', command: npm, args: ['run', '--silent', 'lint'] },
  {
    name: 'typecheck',
    command: process.execPath,
    args: [require.resolve('typescript/bin/tsc'), '-p', '.', '--noEmit'],
    then: { command: process.execPath, args: [require.resolve('typescript/bin/tsc'), '-p', 'media', '--noEmit'] },
  },
  // The bench's checks that time nothing: bundles, what activation loads and its size, one generation's requests.
  { name: 'checks', command: process.execPath, args: ['scripts/bench.js', '--checks'] },
  { name: 'unit', command: npm, args: ['run', '--silent', 'test:unit'] },
  // The Notion part of the unit suite once more, the stand-in acting as a personal access token.
  { name: 'unit-pat', command: process.execPath, args: [path.join(__dirname, 'unitPat.js')] },
  { name: 'integration', command: npm, args: ['run', '--silent', 'test:integration'] },
  { name: 'e2e', command: npm, args: ['run', '--silent', 'test:e2e'] },
];
const only = process.env.VISEN_TEST_STEPS?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const steps = only ? allSteps.filter((step) => only.includes(step.name)) : allSteps;

function runStep({ command, args }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['inherit', 'pipe', 'pipe'] });
    let passed = 0;
    let failed = 0;
    let pending = '';
    const scan = (line) => {
      const passing = /^\s*(\d+) passing\b/.exec(line);
      const failing = /^\s*(\d+) failing\b/.exec(line);
      if (passing) passed += Number(passing[1]);
      if (failing) failed += Number(failing[1]);
    };
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      lines.forEach(scan);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('error', (error) => {
      console.error(error);
      resolve({ code: 1, passed, failed });
    });
    child.on('close', (code, signal) => {
      scan(pending);
      resolve({ code: code ?? (signal ? 128 : 1), passed, failed });
    });
  });
}

async function main() {
  let passed = 0;
  let failed = 0;
  let exitCode = 0;
  for (const step of steps) {
    const started = Date.now();
    console.log(`\n=== ${step.name} ===`);
    let result = await runStep(step);
    for (let then = step.then; then && result.code === 0; then = then.then) {
      const more = await runStep(then);
      result = { code: more.code, passed: result.passed + more.passed, failed: result.failed + more.failed };
    }
    passed += result.passed;
    failed += result.failed;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.code !== 0) {
      if (result.failed === 0) failed += 1;
      console.log(`=== ${step.name} failed (exit ${result.code}) after ${seconds} s; later steps skipped ===`);
      exitCode = result.code;
      break;
    }
    console.log(`=== ${step.name} ok (${seconds} s) ===`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(exitCode);
}

main();
