// The surfaces are thin adapters over src/workflows and do not import each other (README, Contributing):
// a file in src/views that imports from src/commands, or the other way round, fails here. Read from the
// sources, so an import added anywhere in those folders is caught, whatever is bundled.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository: the nearest folder up from this bundle whose package.json is Visen's. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'visen') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Visen package.json above ${__dirname}`);
  }
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => path.join(dir, f));
}

/** Every module specifier a file imports or re-exports (static and dynamic imports, require). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm))
    found.push(match[1]);
  return found;
}

/** `from`'s imports that resolve into the folder `forbidden`, as "file: specifier". */
function crossings(root: string, from: string, forbidden: string): string[] {
  const target = path.join(root, forbidden) + path.sep;
  const found: string[] = [];
  for (const file of sourceFiles(path.join(root, from))) {
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('.')) continue;
      const resolved = path.resolve(path.dirname(file), specifier);
      if ((resolved + path.sep).startsWith(target)) found.push(`${path.relative(root, file)}: ${specifier}`);
    }
  }
  return found;
}

describe('layers: the surfaces do not import each other', () => {
  const root = repoRoot();

  it('finds the sources it checks', () => {
    for (const folder of ['src/commands', 'src/views', 'src/workflows', 'src/agent']) {
      assert.ok(sourceFiles(path.join(root, folder)).length > 0, `${folder} has no sources: the check would pass for nothing`);
    }
  });

  it('nothing in src/views imports from src/commands', () => {
    assert.deepEqual(crossings(root, 'src/views', 'src/commands'), []);
  });

  it('nothing in src/commands imports from src/views', () => {
    assert.deepEqual(crossings(root, 'src/commands', 'src/views'), []);
  });

  it('src/workflows imports neither surface', () => {
    assert.deepEqual([...crossings(root, 'src/workflows', 'src/commands'), ...crossings(root, 'src/workflows', 'src/views')], []);
  });

  it('src/agent (language-model tools, @visen) imports neither surface, and neither imports it', () => {
    assert.deepEqual([...crossings(root, 'src/agent', 'src/commands'), ...crossings(root, 'src/agent', 'src/views')], []);
    assert.deepEqual(
      [
        ...crossings(root, 'src/commands', 'src/agent'),
        ...crossings(root, 'src/views', 'src/agent'),
        ...crossings(root, 'src/workflows', 'src/agent'),
      ],
      [],
    );
  });

  it('the surfaces read services through workflows: their imports of src/services do not grow (README, "How far a change reaches")', () => {
    // Mostly types (a connection, an engine kind); a use case's calls go through its workflow.
    const views = crossings(root, 'src/views', 'src/services');
    const commands = crossings(root, 'src/commands', 'src/services');
    assert.ok(views.length <= 25, `src/views imports src/services ${views.length} times:\n${views.join('\n')}`);
    assert.ok(commands.length <= 5, `src/commands imports src/services ${commands.length} times:\n${commands.join('\n')}`);
  });

  it('recognises an import that crosses (the check itself works)', () => {
    const dir = fs.mkdtempSync(path.join(root, 'out', 'layers-'));
    try {
      fs.mkdirSync(path.join(dir, 'src', 'views'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'src', 'commands'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'src', 'views', 'a.ts'),
        "import type { X } from '../commands/deps';\nexport { y } from '../commands/y';\n",
      );
      fs.writeFileSync(path.join(dir, 'src', 'commands', 'b.ts'), "import { z } from '../workflows/z';\n");
      assert.deepEqual(crossings(dir, 'src/views', 'src/commands'), [
        `${path.join('src', 'views', 'a.ts')}: ../commands/deps`,
        `${path.join('src', 'views', 'a.ts')}: ../commands/y`,
      ]);
      assert.deepEqual(crossings(dir, 'src/commands', 'src/views'), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
