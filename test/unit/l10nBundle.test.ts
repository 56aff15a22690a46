// l10n/bundle.l10n.json is what translators work from and what the .vsix ships: it must hold exactly the
// strings the code marks with `l10n.t`. This runs the manifest's own `npm run l10n` export into a
// temporary folder and compares, so a string added (or changed) without a re-export fails here.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository: the nearest folder up from this bundle whose package.json is Visen's. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'visen') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Visen package.json above ${__dirname}`);
  }
}

type Bundle = Record<string, string | { message: string; comment: string[] }>;

describe('l10n bundle', function () {
  this.timeout(60_000);
  const root = repoRoot();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    l10n?: string;
    scripts: Record<string, string>;
  };
  let outDir: string;

  before(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-l10n-'));
  });
  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('the manifest points VS Code at the folder `npm run l10n` writes to', () => {
    const args = manifest.scripts.l10n.split(/\s+/);
    assert.equal(manifest.l10n, './l10n');
    assert.equal(args[args.indexOf('--outDir') + 1], manifest.l10n);
  });

  it('l10n/bundle.l10n.json holds exactly the strings the sources mark (run `npm run l10n` after adding one)', () => {
    // The script as written in package.json, with only its output folder changed.
    const [tool, ...args] = manifest.scripts.l10n.split(/\s+/);
    assert.equal(tool, 'vscode-l10n-dev');
    args[args.indexOf('--outDir') + 1] = outDir;
    const cliManifest = path.join(root, 'node_modules', '@vscode', 'l10n-dev', 'package.json');
    const cli = path.join(
      path.dirname(cliManifest),
      (JSON.parse(fs.readFileSync(cliManifest, 'utf8')) as { bin: Record<string, string> }).bin[tool],
    );
    const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, `${tool} failed:\n${run.stdout}\n${run.stderr}`);

    const exported = JSON.parse(fs.readFileSync(path.join(outDir, 'bundle.l10n.json'), 'utf8')) as Bundle;
    const committed = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Bundle;
    const missing = Object.keys(exported).filter((key) => !(key in committed));
    const stale = Object.keys(committed).filter((key) => !(key in exported));
    assert.deepEqual({ missing, stale }, { missing: [], stale: [] }, 'l10n/bundle.l10n.json is out of date: run `npm run l10n`');
    assert.deepEqual(committed, exported);
    // Sanity: the export saw both the host's strings and the webviews'.
    assert.ok('Visen Settings' in exported && 'Checking with Notion…' in exported && 'Prompt budget' in exported);
  });
});
