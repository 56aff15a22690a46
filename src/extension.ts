import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerConnectionCommands } from './commands/connections';
import { registerConnectionsDatabaseCommands } from './commands/connectionsDatabase';
import { registerDatabaseCommands } from './commands/databases';
import type { WorkflowDeps } from './workflows/deps';
import { engineFor, type KeyDeps, notionClient } from './workflows/keys';
import type { FormPanels } from './workflows/panels';
import { registerGenerateCommands } from './commands/generate';
import { registerSelectionCommands } from './commands/selection';
import { registerUndoCommands } from './commands/undo';
import { registerGeneralCommands } from './commands/general';
import { offerClearHistory, recoverStoredState, registerHistoryCommands } from './commands/history';
import { registerKeyCommands } from './commands/keys';
import { registerAgent } from './agent/register';
import { readConfig } from './platform/config';
import { loadEngineBundle, loadNotionSdkBundle, loadRunBundle, markdownConverter } from './platform/bundles';
import { EditorContext } from './platform/editorContext';
import { VisenLog } from './platform/log';
import { mementoStore } from './platform/mementoStore';
import { Secrets } from './platform/secrets';
import { PreviewDocuments } from './platform/previewDocuments';
import { InputActivity, createUi } from './platform/ui';
import type { KeyValueStore } from './services/keyValueStore';
import { ConnectionRepository } from './services/connections/connectionRepository';
import { ConnectionSync } from './services/connections/connectionSync';
import { EngineModules } from './services/engines/engineLoader';
import { useModelDefaults } from './services/engines/defaultsInUse';
import { ModelDefaults } from './services/engines/modelDefaults';
import { GenerationStore } from './services/generation/generationStore';
import { LazyGeneration } from './services/generation/lazyGeneration';
import { UsageTracker } from './services/generation/usageTracker';
import { NotionClients } from './services/notion/notionClient';
import { useNotionSdk } from './services/notion/sdk';
import type { ConnectionFormController } from './views/connectionPanel';
import type { ConnectionFormOptions } from './views/connectionFormController';
import type { HostMessage } from './views/connectionProtocol';
import { ConnectionsTreeProvider, registerConnectionsTree } from './views/connectionsTree';
import { registerGenerationDocuments } from './views/generationDocuments';
import type { SettingsFormController } from './views/settingsPanel';
import { loadForms, registerForms } from './views/formsLoader';
import type { SettingsHostMessage } from './views/settingsProtocol';
import { ContextKeys } from './constants';
import { VisenContextKeys } from './views/contextKeys';
import { WalkthroughProgress, openWalkthroughOnFirstRun } from './views/walkthrough';
import { registerUsageStatusBar } from './views/usageStatusBar';

/** What activation hands to extension-host tests (only when VS Code runs Visen under test). */
export interface VisenTestApi extends WorkflowDeps {
  /** The folder VS Code writes Visen's log into. */
  readonly logFolder: string;
  readonly tree: ConnectionsTreeProvider;
  readonly contextKeys: VisenContextKeys;
  /**
   * The forms' host sides without their panels, built by the forms' bundle (dist/forms.js) as a form's panel
   * builds them.
   */
  readonly forms: {
    connection(post: (message: HostMessage) => unknown, options?: ConnectionFormOptions): ConnectionFormController;
    settings(post: (message: SettingsHostMessage) => unknown): SettingsFormController;
  };
}

export function activate(context: vscode.ExtensionContext): VisenTestApi | undefined {
  // VS Code loads the bundle for vscode.l10n; the vscode-free services read it through @vscode/l10n. This,
  // the Notion SDK and the model defaults are bound once for every bundle: they are in dist/shared.js.
  l10n.config({ contents: vscode.l10n.bundle ?? {} });
  useNotionSdk(loadNotionSdkBundle);
  const log = new VisenLog();
  const store = mementoStore(context.globalState);
  useModelDefaults(new ModelDefaults(store));
  const inputs = new InputActivity();
  const deps = buildServices(context, log, store, inputs);
  void recoverStoredState(deps);
  const surfaces = registerSurfaces(context, deps, inputs);
  // Extension-host tests answer prompts through the UI adapter a person's answers go through; this is
  // the very object the commands read, so a test can swap its `ui`.
  const forms: VisenTestApi['forms'] = {
    connection: (post, options) => new (loadForms().ConnectionFormController)(deps, post, options),
    settings: (post) => new (loadForms().SettingsFormController)(deps, post),
  };
  return context.extensionMode === vscode.ExtensionMode.Test
    ? Object.assign(deps, { logFolder: context.logUri.fsPath, ...surfaces, forms })
    : undefined;
}

/** The services every surface shares; the history, the page locks and the Notion pacing in folders every window on the machine shares. */
function buildServices(context: vscode.ExtensionContext, log: VisenLog, store: KeyValueStore, inputs: InputActivity): WorkflowDeps {
  const shared = context.globalStorageUri.fsPath;
  const connections = new ConnectionRepository(store, log, { folder: path.join(shared, 'connections') });
  context.subscriptions.push({ dispose: () => connections.dispose() });
  const generations = new GenerationStore(store, {
    folder: path.join(shared, 'generations'),
    maxSizeMB: () => readConfig().historyMaxSizeMB,
    logger: log,
    onFull: (full) => void offerClearHistory(deps, full),
  });
  context.subscriptions.push({ dispose: () => generations.dispose() });
  const usage = new UsageTracker(store, undefined, log);
  // Keys are read through `deps` at call time, so the UI that may ask for one is the one tests swap in.
  const keys = (): KeyDeps => deps;
  const sync = new ConnectionSync({
    client: () => notionClient(keys()),
    databaseUrl: () => readConfig().connectionsDatabase,
    connections,
    logger: log,
  });
  const editor = new EditorContext();
  const previews = new PreviewDocuments();
  context.subscriptions.push(log, editor, previews);
  const deps: WorkflowDeps = {
    secrets: new Secrets(context.secrets, store),
    log,
    notionClients: new NotionClients(log, path.join(shared, 'notion-pacing')),
    engines: new EngineModules(loadEngineBundle),
    ui: createUi(inputs, previews),
    generations,
    connections,
    usage,
    store,
    sync,
    converter: markdownConverter,
    editor,
    generation: new LazyGeneration(loadRunBundle, {
      notion: () => notionClient(keys()),
      engine: (kind) => engineFor(keys(), kind),
      generations,
      connections,
      sync,
      usage,
      store,
      logger: log,
      converter: markdownConverter,
      lockFolder: path.join(shared, 'page-locks'),
    }),
    issuesUrl:
      (context.extension.packageJSON as { bugs?: { url?: string } }).bugs?.url ?? 'https://github.com/visen-app/visen-vscode/issues',
  };
  return deps;
}

/** The palette's commands, the tree, the forms, the status bar, the walkthrough, the agent tools and @visen. */
function registerSurfaces(
  context: vscode.ExtensionContext,
  deps: WorkflowDeps,
  inputs: InputActivity,
): Pick<VisenTestApi, 'tree' | 'contextKeys'> {
  const panels: FormPanels = {
    openConnection: (connection) => loadForms().openConnectionPanel(deps, context.extensionUri, connection),
    openSettings: () => loadForms().openSettingsPanel(deps, context.extensionUri),
  };
  const tree = registerConnectionsTree(deps.connections, deps.generations);
  const contextKeys = new VisenContextKeys(
    deps.secrets,
    deps.connections,
    deps.generations,
    new WalkthroughProgress(context.extension, deps.log),
  );
  void contextKeys
    .update()
    .then(() => openWalkthroughOnFirstRun(context, contextKeys.values.get(ContextKeys.hasNotionSecret) === true, inputs, deps.log));
  context.subscriptions.push(
    tree.disposable,
    contextKeys,
    registerKeyCommands(deps),
    registerGenerateCommands(deps),
    registerSelectionCommands(deps),
    registerUndoCommands(deps),
    registerConnectionCommands(deps, panels, () => tree.provider.refresh()),
    registerConnectionsDatabaseCommands(deps),
    registerDatabaseCommands(deps),
    registerGeneralCommands(deps, panels),
    registerHistoryCommands(deps),
    registerForms(deps, context.extensionUri),
    registerGenerationDocuments(deps.generations),
    registerUsageStatusBar(deps.usage, () => readConfig().promptBudget),
    registerAgent(deps, context.extensionUri),
  );
  return { tree: tree.provider, contextKeys };
}

export function deactivate(): void {}
