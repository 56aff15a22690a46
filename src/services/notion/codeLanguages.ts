// The code languages a Notion code block takes, and the fence names models write for them.

/** Notion's code languages (the SDK's `LanguageRequest`). */
export const NOTION_LANGUAGES: ReadonlySet<string> = new Set(
  (
    'abap abc agda arduino|ascii art|assembly bash basic bnf c c# c++ clojure coffeescript coq css dart dhall diff ' +
    'docker ebnf elixir elm erlang f# flow fortran gherkin glsl go graphql groovy haskell hcl html idris java ' +
    'javascript json julia kotlin latex less lisp livescript|llvm ir|lua makefile markdown markup matlab ' +
    'mathematica mermaid nix|notion formula|objective-c ocaml pascal perl php|plain text|powershell prolog ' +
    'protobuf purescript python r racket reason ruby rust sass scala scheme scss shell smalltalk solidity sql ' +
    'swift toml typescript|vb.net|verilog vhdl|visual basic|webassembly xml yaml|java/c/c++/c#'
  )
    .split('|')
    .flatMap((part, i) => (i % 2 === 1 ? [part] : part.split(' ')))
    .filter(Boolean),
);

const LANGUAGE_ALIASES: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  py: 'python',
  python3: 'python',
  py3: 'python',
  sh: 'shell',
  zsh: 'shell',
  console: 'shell',
  shellsession: 'shell',
  fish: 'shell',
  bat: 'shell',
  cmd: 'shell',
  ps: 'powershell',
  ps1: 'powershell',
  pwsh: 'powershell',
  yml: 'yaml',
  rs: 'rust',
  cs: 'c#',
  csharp: 'c#',
  'c-sharp': 'c#',
  cpp: 'c++',
  cxx: 'c++',
  cc: 'c++',
  hpp: 'c++',
  h: 'c',
  golang: 'go',
  dockerfile: 'docker',
  containerfile: 'docker',
  text: 'plain text',
  txt: 'plain text',
  plaintext: 'plain text',
  plain: 'plain text',
  md: 'markdown',
  rb: 'ruby',
  kt: 'kotlin',
  kts: 'kotlin',
  'objective-c': 'objective-c',
  objc: 'objective-c',
  fs: 'f#',
  fsharp: 'f#',
  vb: 'visual basic',
  hs: 'haskell',
  ex: 'elixir',
  exs: 'elixir',
  erl: 'erlang',
  tf: 'hcl',
  terraform: 'hcl',
  htm: 'html',
  svg: 'xml',
  xhtml: 'xml',
  gql: 'graphql',
  proto: 'protobuf',
  make: 'makefile',
  mk: 'makefile',
  tex: 'latex',
  jsonc: 'json',
  json5: 'json',
  patch: 'diff',
  pl: 'perl',
  clj: 'clojure',
  ml: 'ocaml',
  sol: 'solidity',
  wasm: 'webassembly',
  wat: 'webassembly',
  postgres: 'sql',
  postgresql: 'sql',
  mysql: 'sql',
  sqlite: 'sql',
  plsql: 'sql',
  vue: 'html',
  svelte: 'html',
  sass: 'sass',
  coffee: 'coffeescript',
  ini: 'toml',
  env: 'shell',
  'c++': 'c++',
  'c#': 'c#',
  math: 'latex',
};

/** The Notion language for a fence's info string; unknown languages are plain text. */
export function notionLanguage(lang: string | null | undefined): string {
  const name = (lang ?? '').trim().toLowerCase();
  if (NOTION_LANGUAGES.has(name)) return name;
  return LANGUAGE_ALIASES[name] ?? 'plain text';
}
