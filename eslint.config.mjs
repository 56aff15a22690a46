// ESLint for the extension host, the webviews, the tests and the build scripts: typescript-eslint's
// recommended rules. Formatting is Prettier's (`npm run format`), unused files, exports and dependencies are
// knip's; `npm run lint` runs all three and `npm test` runs it first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  [
    'require',
    'module',
    'process',
    '__dirname',
    '__filename',
    'console',
    'Buffer',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'URL',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'l10n/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The engines, the generation machinery and the Notion SDK are bundles of their own, required on first
      // use so that activation never parses them (docs/performance.md); an `import` would load them at start.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'media/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // A function reads in one screen: past 60 lines (blank and comment lines not counted), its steps get names.
    files: ['src/**/*.ts', 'media/webview/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Tests read the stand-ins' JSON and the SDKs' wire shapes as they come.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
