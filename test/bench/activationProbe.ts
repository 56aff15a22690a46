// Runs in a fresh Node process, started by the benchmark: times `require` of one bundle (and, for the
// extension, `activate()` against a minimal stand-in for the 'vscode' module), then prints one JSON line.
//
//   node out/bench/activationProbe.js extension <path/to/dist/extension.js>
//   node out/bench/activationProbe.js module <path/to/dist/engines/openai.js>
//
// Imports node builtins only, so the process holds nothing but what the measured bundle loads.
import Module from 'node:module';
import { performance } from 'node:perf_hooks';

export interface ProbeResult {
  readonly mode: 'extension' | 'module';
  readonly file: string;
  readonly requireMs: number;
  /** Extension only. */
  readonly activateMs?: number;
  /** Files in require.cache after loading (and activating). */
  readonly cachedFiles: string[];
  /** Commands the extension registered during activation. */
  readonly commands?: string[];
  readonly treeViews?: string[];
  /** 'vscode' members activation used that the stand-in does not define (answered by a permissive stub). */
  readonly unstubbed?: string[];
  /** Errors reported asynchronously after activate() returned (e.g. a rejected promise). */
  readonly asyncErrors?: string[];
}

type AnyFn = (...args: unknown[]) => unknown;

const unstubbed = new Set<string>();
const commands: string[] = [];
const treeViews: string[] = [];
const asyncErrors: string[] = [];

const disposable = () => ({ dispose: () => undefined });
const noEvent = () => disposable();

/**
 * Any member not defined below: records its path and answers with something callable, constructible
 * and disposable, so an API the stand-in lacks shows up in the report instead of crashing activation.
 */
function permissive(path: string): unknown {
  const target = function () {
    return permissive(`${path}()`);
  };
  const values = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(_t, key) {
      if (values.has(key)) return values.get(key);
      if (key === 'then') return undefined; // never look like a promise
      if (key === 'dispose') return () => undefined;
      if (key === 'prototype') return {};
      if (typeof key === 'symbol') return undefined;
      unstubbed.add(`${path}.${key}`);
      return permissive(`${path}.${key}`);
    },
    set(_t, key, value) {
      values.set(key, value);
      return true;
    },
    apply() {
      unstubbed.add(`${path}()`);
      return permissive(`${path}()`);
    },
    construct() {
      unstubbed.add(`new ${path}()`);
      return permissive(`new ${path}()`) as object;
    },
  });
}

const PASS_THROUGH = new Set<PropertyKey>(['then', '__esModule', 'default', 'toJSON', 'constructor']);

/**
 * Wraps a stand-in namespace so that members it lacks are recorded and answered permissively. The
 * prototype answers too: esbuild's ESM interop copies a module's own keys onto an object created from
 * its prototype, so names missing at the top of 'vscode' are looked up there.
 */
function recorded<T extends object>(name: string, value: T): T {
  const fallback = (key: PropertyKey) => {
    if (typeof key === 'symbol' || PASS_THROUGH.has(key)) return undefined;
    unstubbed.add(`${name}.${key}`);
    return permissive(`${name}.${key}`);
  };
  const prototype = new Proxy(Object.create(null) as object, { get: (_t, key) => fallback(key) });
  return new Proxy(value, {
    get(target, key, receiver) {
      if (key in target) return Reflect.get(target, key, receiver);
      return fallback(key);
    },
    getPrototypeOf: () => prototype,
  });
}

function logChannel(name: string) {
  const log = () => undefined;
  return recorded(`OutputChannel(${name})`, {
    name,
    logLevel: 2,
    onDidChangeLogLevel: noEvent,
    trace: log,
    debug: log,
    info: log,
    warn: log,
    error: log,
    append: log,
    appendLine: log,
    replace: log,
    clear: log,
    show: log,
    hide: log,
    dispose: log,
  });
}

class Disposable {
  static from(...items: Array<{ dispose(): unknown } | undefined>): Disposable {
    return new Disposable(() => items.forEach((i) => i?.dispose()));
  }
  constructor(private readonly callOnDispose: () => unknown) {}
  dispose(): void {
    this.callOnDispose();
  }
}

class EventEmitter<T> {
  private listeners: Array<(e: T) => unknown> = [];
  event = (listener: (e: T) => unknown) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    this.listeners.forEach((l) => l(e));
  }
  dispose(): void {
    this.listeners = [];
  }
}

class TreeItem {
  constructor(
    public label: unknown,
    public collapsibleState = 0,
  ) {}
}

class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: unknown,
  ) {}
}

class ThemeColor {
  constructor(readonly id: string) {}
}

class MarkdownString {
  constructor(
    public value = '',
    public supportThemeIcons = false,
  ) {}
  isTrusted = false;
  supportHtml = false;
  appendText(text: string): this {
    this.value += text;
    return this;
  }
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendCodeblock(code: string, language = ''): this {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
    readonly query = '',
  ) {}
  static parse(value: string): Uri {
    const url = new URL(value);
    return new Uri(url.protocol.replace(/:$/, ''), url.pathname, url.search.replace(/^\?/, ''));
  }
  static file(fsPath: string): Uri {
    return new Uri('file', fsPath);
  }
  static from(parts: { scheme: string; path?: string; query?: string }): Uri {
    return new Uri(parts.scheme, parts.path ?? '', parts.query ?? '');
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, [base.path, ...segments].join('/').replace(/\/+/g, '/'), base.query);
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { scheme?: string; path?: string; query?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, change.path ?? this.path, change.query ?? this.query);
  }
  toString(): string {
    return `${this.scheme}:${this.path}${this.query ? `?${this.query}` : ''}`;
  }
}

function format(message: string, ...args: unknown[]): string {
  return message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));
}

const vscodeStub = recorded('vscode', {
  version: '1.100.0',
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  InputBoxValidationSeverity: { Info: 1, Warning: 2, Error: 3 },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2, Three: 3 },
  Disposable,
  EventEmitter,
  TreeItem,
  ThemeIcon,
  ThemeColor,
  MarkdownString,
  Uri,
  l10n: recorded('vscode.l10n', { t: (message: string, ...args: unknown[]) => format(message, ...args) }),
  env: recorded('vscode.env', { language: 'en', openExternal: async () => true }),
  commands: recorded('vscode.commands', {
    registerCommand: (id: string, _fn: AnyFn) => {
      commands.push(id);
      return disposable();
    },
    executeCommand: async () => undefined,
  }),
  window: recorded('vscode.window', {
    createOutputChannel: (name: string) => logChannel(name),
    registerTreeDataProvider: (id: string) => {
      treeViews.push(id);
      return disposable();
    },
    createTreeView: (id: string) => {
      treeViews.push(id);
      return recorded(`TreeView(${id})`, {
        visible: true,
        selection: [],
        onDidChangeVisibility: noEvent,
        onDidChangeSelection: noEvent,
        onDidExpandElement: noEvent,
        onDidCollapseElement: noEvent,
        reveal: async () => undefined,
        dispose: () => undefined,
      });
    },
    createStatusBarItem: () =>
      recorded('StatusBarItem', {
        text: '',
        tooltip: undefined,
        command: undefined,
        show: () => undefined,
        hide: () => undefined,
        dispose: () => undefined,
      }),
    registerWebviewPanelSerializer: () => disposable(),
    registerWebviewViewProvider: () => disposable(),
    registerUriHandler: () => disposable(),
    onDidChangeActiveTextEditor: noEvent,
    showInformationMessage: async () => undefined,
    showWarningMessage: async () => undefined,
    showErrorMessage: async () => undefined,
    activeTextEditor: undefined,
  }),
  workspace: recorded('vscode.workspace', {
    getConfiguration: () => recorded('WorkspaceConfiguration', { get: () => undefined, has: () => false, update: async () => undefined }),
    onDidChangeConfiguration: noEvent,
    registerTextDocumentContentProvider: () => disposable(),
    workspaceFolders: undefined,
  }),
});

function memento() {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: (key: string, fallback?: unknown) => (values.has(key) ? values.get(key) : fallback),
    update: async (key: string, value: unknown) => {
      values.set(key, value);
    },
    setKeysForSync: () => undefined,
  };
}

function extensionContext(file: string) {
  const secretChanges = new EventEmitter<{ key: string }>();
  return recorded('ExtensionContext', {
    subscriptions: [] as Array<{ dispose(): unknown }>,
    extensionMode: vscodeStub.ExtensionMode.Production,
    extensionPath: file,
    extensionUri: Uri.file(file),
    logUri: Uri.file('/tmp/visen-bench-log'),
    globalStorageUri: Uri.file('/tmp/visen-bench-storage'),
    globalState: memento(),
    workspaceState: memento(),
    secrets: recorded('SecretStorage', {
      get: async () => undefined,
      store: async () => undefined,
      delete: async () => undefined,
      keys: async () => [],
      onDidChange: secretChanges.event,
    }),
    extension: { id: 'visen.visen', packageJSON: { bugs: { url: 'https://example.com/issues' } } },
  });
}

function main(): void {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== 'extension' && mode !== 'module') || !file) {
    console.error('usage: activationProbe.js extension|module <bundle.js>');
    process.exit(2);
  }
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'vscode') return vscodeStub;
    return original.call(this, request, parent, isMain);
  };
  process.on('unhandledRejection', (reason) => asyncErrors.push(String(reason)));

  const t0 = performance.now();
  const loaded = require(file) as { activate?: (context: unknown) => unknown };
  const t1 = performance.now();
  let activateMs: number | undefined;
  if (mode === 'extension') {
    if (typeof loaded.activate !== 'function') throw new Error(`${file} exports no activate()`);
    const context = extensionContext(file);
    const t2 = performance.now();
    loaded.activate(context);
    activateMs = performance.now() - t2;
  }
  // Let the work activation started in the background (e.g. the context key update) run before the
  // module cache is inspected.
  setTimeout(() => {
    const result: ProbeResult = {
      mode,
      file,
      requireMs: t1 - t0,
      activateMs,
      cachedFiles: Object.keys(require.cache),
      ...(mode === 'extension' ? { commands, treeViews, unstubbed: [...unstubbed].sort(), asyncErrors } : {}),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }, 20);
}

main();
