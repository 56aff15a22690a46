// @vscode/test-cli configuration (`npx vscode-test`), for machines that can download VS Code. It runs the
// same bundled suite as the offline runner (test/harness/runIntegration.ts), so build it first:
// `node esbuild.js --tests && npx vscode-test`.
import { defineConfig } from '@vscode/test-cli';
import { mkdirSync } from 'node:fs';

const workspaceFolder = '.vscode-test/integration-workspace';
mkdirSync(workspaceFolder, { recursive: true });

export default defineConfig({
  label: 'integration',
  files: 'out/test/integration/**/*.test.js',
  version: process.env.VSCODE_TEST_VERSION ?? 'stable',
  workspaceFolder,
  launchArgs: ['--disable-extensions'],
  env: { VISEN_TEST: '1' },
  mocha: {
    ui: 'bdd',
    timeout: 60000,
  },
});
