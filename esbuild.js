// Builds Visen: the extension host bundle, one bundle per engine, one for the markdown converter, one for the
// Notion SDK and one for the generation machinery (all loaded on first use, so activation never parses an engine
// SDK, the markdown parser or the writer), and, with --tests, the unit and extension-host test bundles.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');
const bench = process.argv.includes('--bench');
const buildDefines = require('./scripts/buildDefines');
const { sharedBuild, sharedModulesPlugin } = require('./scripts/sharedBundle');

/** Collects *.test.ts files under a folder. */
function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  external: ['vscode'],
  logLevel: 'warning',
  // @google/genai/web and p-queue are ESM-only; bundling them into CJS needs import.meta.url to exist.
  define: { 'import.meta.url': 'importMetaUrl', ...buildDefines(production) },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/**
 * One bundle per engine, `dist/engines/<kind>.js`, for every engine package.json's `visen.engine` lists (the
 * registry's, in its order: a unit test keeps the two the same). Its module is found by convention: an engine
 * built around its SDK is src/services/engines/<kind>.ts; one built from the vscode API lives host-side,
 * src/platform/<kind in camelCase>.ts (vscode-lm: src/platform/vscodeLm.ts).
 */
function engineEntries() {
  const kinds = require('./package.json').contributes.configuration.properties['visen.engine'].enum;
  return Object.fromEntries(
    kinds.map((kind) => {
      const candidates = [`src/services/engines/${kind}.ts`, `src/platform/${kind.replace(/-(\w)/g, (_, c) => c.toUpperCase())}.ts`];
      const file = candidates.find((f) => fs.existsSync(path.join(__dirname, f)));
      if (!file) throw new Error(`The engine "${kind}" has no module: expected ${candidates.join(' or ')}.`);
      return [`engines/${kind}`, file];
    }),
  );
}

/**
 * The model catalog as Visen reads it at run time: its entries' ids, tiers, dates and ranks. Where each came
 * from (source, secondary, note, $comment) is for the people who refresh it and for its tests, which read the
 * file itself; left out of dist, it costs activation nothing.
 */
function runtimeCatalogPlugin() {
  const CITATIONS = ['source', 'secondary', 'note'];
  return {
    name: 'runtime-model-catalog',
    setup(build) {
      build.onLoad({ filter: /modelCatalog\.json$/ }, async (args) => {
        const { $comment: _comment, ...catalog } = JSON.parse(await fs.promises.readFile(args.path, 'utf8'));
        const models = catalog.models.map((entry) => Object.fromEntries(Object.entries(entry).filter(([key]) => !CITATIONS.includes(key))));
        return { contents: JSON.stringify({ ...catalog, models }), loader: 'json' };
      });
    },
  };
}

// dist/shared.js first: every other bundle requires it for the pieces that must exist once (scripts/sharedBundle.js).
const builds = [
  { ...common, ...sharedBuild() },
  {
    ...common,
    plugins: [sharedModulesPlugin(), runtimeCatalogPlugin()],
    entryPoints: {
      extension: 'src/extension.ts',
      ...engineEntries(),
      markdown: 'src/services/notion/markdownBlocks.ts',
      notion: 'src/services/notion/sdkBundle.ts',
      run: 'src/services/generation/runBundle.ts',
      agent: 'src/agent/agent.ts',
      forms: 'src/views/forms.ts',
      fill: 'src/workflows/fillBundle.ts',
    },
    outdir: 'dist',
    metafile: true,
  },
];

// Webview bundles: browser code from media/webview, one entry each, built to dist/webview/<name>.js and
// loaded by the panel through formPanel.ts. Add a form by adding a line here.
const webviews = {
  connection: 'media/webview/connection/main.ts',
  settings: 'media/webview/settings/main.ts',
};

builds.push({
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  entryPoints: webviews,
  outdir: 'dist/webview',
});

if (tests) {
  const entry = (files, base) => Object.fromEntries(files.map((f) => [path.relative(base, f).replace(/\.ts$/, ''), f]));
  // VISEN_TEST_BUNDLES=integration,harness builds only those groups, so one suite's runner is not held up
  // by another suite's files being mid-edit. Unset builds every group.
  const only = process.env.VISEN_TEST_BUNDLES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const wanted = (group) => !only || only.includes(group);
  if (wanted('unit')) {
    builds.push({
      ...common,
      sourcemap: true,
      minify: false,
      // The unit tests use dist/shared.js as every bundle of the extension does, so an error thrown in a dist
      // bundle they load is one of theirs. support/windowProcess: a window as a process of its own, which unit
      // tests start and kill.
      plugins: [sharedModulesPlugin()],
      entryPoints: { ...entry(testFiles('test/unit'), 'test'), 'support/windowProcess': 'test/support/windowProcess.ts' },
      outdir: 'out/test',
    });
  }
  const integration = testFiles('test/integration');
  if (wanted('integration') && integration.length) {
    builds.push({
      ...common,
      sourcemap: true,
      minify: false,
      // mocha is loaded from node_modules inside the extension host rather than bundled per test file.
      external: [...common.external, 'mocha'],
      plugins: [sharedModulesPlugin()],
      entryPoints: { 'integration/index': 'test/integration/index.ts', ...entry(integration, 'test') },
      outdir: 'out/test',
    });
  }
  // The live contract suite's script (`npm run test:live`); the unit bundle runs the same suite on the stand-ins.
  if (wanted('live') && fs.existsSync('test/live/main.ts')) {
    builds.push({ ...common, sourcemap: true, minify: false, entryPoints: { 'live/main': 'test/live/main.ts' }, outdir: 'out/test' });
  }
  if (wanted('fakes') && fs.existsSync('test/fakes/standalone.ts')) {
    builds.push({
      ...common,
      sourcemap: true,
      minify: false,
      entryPoints: { 'fakes/standalone': 'test/fakes/standalone.ts' },
      outdir: 'out/test',
    });
  }
  // The code-server harness and the UI tests run in plain Node; playwright-core ships browser-side
  // scripts and a registry of binaries that must stay in node_modules, so it is never bundled.
  const harness = fs.existsSync('test/harness')
    ? fs
        .readdirSync('test/harness')
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join('test/harness', f))
    : [];
  const e2e = testFiles('test/e2e');
  if (wanted('harness') && (harness.length || e2e.length)) {
    builds.push({
      ...common,
      sourcemap: true,
      minify: false,
      external: [...common.external, 'playwright-core', 'mocha'],
      entryPoints: { ...entry(harness, 'test'), ...entry(e2e, 'test') },
      outdir: 'out/test',
    });
  }
}

// --bench (used by `npm run bench`, with --production): the benchmark, plus the activation probe and the
// stand-ins' host it runs in processes of their own. Always unminified with source maps, whatever the extension build is; no metafile, so
// dist/meta.json stays the extension build's.
if (bench) {
  builds.push({
    ...common,
    sourcemap: true,
    minify: false,
    entryPoints: { bench: 'test/bench/bench.ts', activationProbe: 'test/bench/activationProbe.ts', fakeHost: 'test/bench/fakeHost.ts' },
    outdir: 'out/bench',
  });
}

async function main() {
  // dist/meta.json describes every bundle in dist: dist/shared.js's build and the other bundles' together.
  const metafiles = new Map();
  for (const options of builds) {
    if (watch) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
    } else {
      const result = await esbuild.build(options);
      const dir = options.outdir ?? path.dirname(options.outfile);
      if (!result.metafile || dir !== 'dist') continue;
      const merged = metafiles.get(dir) ?? { inputs: {}, outputs: {} };
      Object.assign(merged.inputs, result.metafile.inputs);
      Object.assign(merged.outputs, result.metafile.outputs);
      metafiles.set(dir, merged);
    }
  }
  for (const [dir, metafile] of metafiles) fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(metafile));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
