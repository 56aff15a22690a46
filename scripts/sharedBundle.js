// The pieces of Visen that must exist once at run time, whichever bundle uses them: the error classes (an
// error thrown in dist/run.js is `instanceof` the same class in dist/extension.js), the Notion SDK accessor,
// the state of @vscode/l10n, the registry of Notion clients' token kinds and runs' signals, the model defaults
// in use. They are built into dist/shared.js; every other bundle requires that file at run time instead of
// carrying a copy of them (sharedModulesPlugin), so they are configured once, at activation.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

/** Each shared module under the name dist/shared.js exports it as (one namespace each, so no names collide). */
const SHARED_MODULES = {
  l10n: '@vscode/l10n',
  sdk: 'src/services/notion/sdk.ts',
  notionClient: 'src/services/notion/notionClient.ts',
  notionClock: 'src/services/notion/notionClock.ts',
  notionErrors: 'src/services/notion/notionErrors.ts',
  tokenIdentity: 'src/services/notion/tokenIdentity.ts',
  propertyValueError: 'src/services/notion/propertyValueError.ts',
  engineError: 'src/services/engines/engineError.ts',
  defaultsInUse: 'src/services/engines/defaultsInUse.ts',
  missingKey: 'src/workflows/missingKey.ts',
};

const SHARED_FILE = path.join(root, 'dist', 'shared.js');
/** What an import of a shared module requires until the build's end writes the path from its output file. */
const PLACEHOLDER = '__visen_shared__';

const specifier = (module) => (module.startsWith('src/') ? `./${module}` : module);

/** The source of dist/shared.js: every shared module, each as a namespace. */
function sharedEntry() {
  return Object.entries(SHARED_MODULES)
    .map(([name, module]) => `export * as ${name} from ${JSON.stringify(specifier(module))};`)
    .join('\n');
}

/** The esbuild options (less the common ones) that build dist/shared.js. */
function sharedBuild() {
  return {
    stdin: { contents: sharedEntry(), resolveDir: root, sourcefile: 'shared.ts', loader: 'ts' },
    outfile: 'dist/shared.js',
    // Nothing in it reads import.meta.url: no line to set it.
    banner: {},
    metafile: true,
  };
}

/**
 * Makes a build's bundles require dist/shared.js for every shared module instead of bundling a copy: an
 * import of one becomes a small module that hands on that module's namespace of dist/shared.js, and when
 * the build ends each output file's require is pointed at dist/shared.js relative to where that file is
 * (dist/run.js: ./shared.js, dist/engines/openai.js: ../shared.js, a test bundle: its way to dist).
 */
function sharedModulesPlugin() {
  const byPath = new Map(
    Object.entries(SHARED_MODULES).map(([name, module]) => [
      module.startsWith('src/') ? path.join(root, module) : require.resolve(module, { paths: [root] }),
      name,
    ]),
  );
  const bareNames = Object.values(SHARED_MODULES).filter((m) => !m.startsWith('src/'));
  const baseNames = Object.values(SHARED_MODULES)
    .filter((m) => m.startsWith('src/'))
    .map((m) => path.basename(m, '.ts'));
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const filter = new RegExp(`(^(${bareNames.map(escape).join('|')})$)|(/(${baseNames.map(escape).join('|')})(\\.ts)?$)`);
  return {
    name: 'visen-shared-modules',
    setup(build) {
      build.initialOptions.metafile = true;
      build.onResolve({ filter: new RegExp(`^${PLACEHOLDER}$`) }, () => ({ path: PLACEHOLDER, external: true }));
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'visen-shared') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'visen-shared' });
        const name = byPath.get(resolved.path);
        return name ? { path: name, namespace: 'visen-shared' } : resolved;
      });
      build.onLoad({ filter: /.*/, namespace: 'visen-shared' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(PLACEHOLDER)}).${args.path};`,
        loader: 'js',
      }));
      build.onEnd((result) => {
        if (result.errors.length || !result.metafile) return;
        for (const output of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
          const file = path.resolve(build.initialOptions.absWorkingDir ?? process.cwd(), output);
          const text = fs.readFileSync(file, 'utf8');
          if (!text.includes(PLACEHOLDER)) continue;
          let relative = path.relative(path.dirname(file), SHARED_FILE).split(path.sep).join('/');
          if (!relative.startsWith('.')) relative = `./${relative}`;
          fs.writeFileSync(file, text.split(JSON.stringify(PLACEHOLDER)).join(JSON.stringify(relative)));
        }
      });
    },
  };
}

module.exports = { SHARED_MODULES, sharedBuild, sharedModulesPlugin };
