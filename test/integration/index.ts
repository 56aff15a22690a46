// Entry point the extension host loads as extensionTestsPath (under @vscode/test-electron or the offline
// code-server runner alike): runs every bundled integration test with mocha inside the extension host.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // Failures then point at test/**/*.ts rather than at the bundles.
  process.setSourceMapsEnabled(true);
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    reporter: 'spec',
    // The report travels through the browser console (or the Electron log), where escape codes are noise.
    color: false,
    // VISEN_TEST_GREP=Databases runs one suite while working on it.
    ...(process.env.VISEN_TEST_GREP ? { grep: process.env.VISEN_TEST_GREP } : {}),
  });
  const root = __dirname;
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(root, file));

  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
