// The production build (what the .vsix ships) leaves out the VISEN_*_BASE_URL overrides: built here with the
// same `define` esbuild.js gives it, from the same source, and read back.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'visen') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Visen package.json above ${__dirname}`);
  }
}

describe('production bundle', () => {
  const root = repoRoot();
  const load = createRequire(path.join(root, 'package.json'));
  const esbuild = load('esbuild') as typeof import('esbuild');
  const buildDefines = load('./scripts/buildDefines') as (production: boolean) => Record<string, string>;

  async function bundle(production: boolean): Promise<string> {
    const result = await esbuild.build({
      entryPoints: [path.join(root, 'src/platform/config.ts')],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      minify: production,
      external: ['vscode'],
      define: buildDefines(production),
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0].text;
  }

  it('reads no VISEN_*_BASE_URL variable: the overrides are not in it', async () => {
    const text = await bundle(true);
    assert.doesNotMatch(text, /VISEN_\w*BASE_URL|process\.env/);
  });

  it('a test or development build keeps them', async () => {
    const text = await bundle(false);
    assert.match(text, /VISEN_NOTION_API_BASE_URL/);
    assert.match(text, /process\.env/);
  });

  it('the .vsix ships every bundle the build makes, dist/shared.js with them', () => {
    // .vscodeignore leaves everything out but its `!` lines; a bundle it left out would fail to load once installed.
    const kept = fs
      .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!dist/'))
      .map(
        (line) =>
          new RegExp(
            `^${line
              .slice(1)
              .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')}$`,
          ),
      );
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'meta.json'), 'utf8')) as { outputs: Record<string, unknown> };
    const bundles = Object.keys(meta.outputs).filter((file) => file.endsWith('.js'));
    assert.ok(bundles.includes('dist/shared.js'), bundles.join(', '));
    assert.deepEqual(
      bundles.filter((file) => !kept.some((pattern) => pattern.test(file))),
      [],
    );
  });

  it("the extension's bundle carries the model catalog's entries without their citations", () => {
    const file = JSON.parse(fs.readFileSync(path.join(root, 'src/services/engines/modelCatalog.json'), 'utf8')) as {
      models: { id: string; source: string }[];
    };
    const bundled = fs.readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
    for (const model of file.models) assert.ok(bundled.includes(`"${model.id}"`), `${model.id} is in dist/extension.js`);
    for (const source of new Set(file.models.map((m) => m.source))) assert.ok(!bundled.includes(source), `${source} is left out`);
  });

  it('esbuild.js builds with those defines', () => {
    const source = fs.readFileSync(path.join(root, 'esbuild.js'), 'utf8');
    assert.match(source, /\.\.\.buildDefines\(production\)/);
  });
});
