import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerGenerateCommands } from './commands/generate';
import { registerGeneralCommands } from './commands/general';
import { registerKeyCommands } from './commands/keys';
import type { CommandDeps } from './commands/deps';
import { VisenLog } from './platform/log';
import { mementoStore } from './platform/mementoStore';
import { Secrets } from './platform/secrets';
import { createUi } from './platform/ui';
import type { EngineKind, EngineModule } from './services/engines/engine';
import { EngineModules } from './services/engines/engineLoader';
import { GenerationStore } from './services/generation/generationRecord';
import { NotionClients } from './services/notion/notionClient';
import { RecentPages } from './services/notion/recentPages';
import { registerConnectionsView } from './views/connectionsView';

/** Each engine is its own bundle next to this one, required on first use only. */
const loadEngineBundle = (kind: EngineKind): EngineModule => require(path.join(__dirname, 'engines', `${kind}.js`)) as EngineModule;

/** What activation hands to extension-host tests (only when VS Code runs Visen under test). */
export interface VisenTestApi extends CommandDeps {
  /** The folder VS Code writes Visen's log into. */
  readonly logFolder: string;
}

export function activate(context: vscode.ExtensionContext): VisenTestApi | undefined {
  const log = new VisenLog();
  const store = mementoStore(context.globalState);
  const deps: CommandDeps = {
    ui: createUi(),
    log,
    secrets: new Secrets(context.secrets),
    notionClients: new NotionClients(log),
    engines: new EngineModules(loadEngineBundle),
    generations: new GenerationStore(store),
    recentPages: new RecentPages(store),
    issuesUrl: (context.extension.packageJSON as { bugs?: { url?: string } }).bugs?.url ?? 'https://github.com/visen-app/visen-vscode/issues',
  };
  context.subscriptions.push(
    log,
    registerKeyCommands(deps),
    registerGenerateCommands(deps),
    registerGeneralCommands(deps),
    registerConnectionsView(deps.secrets),
  );
  // Extension-host tests answer prompts through the UI adapter a person's answers go through; this is
  // the very object the commands read, so a test can swap its `ui`.
  return context.extensionMode === vscode.ExtensionMode.Test ? Object.assign(deps, { logFolder: context.logUri.fsPath }) : undefined;
}

export function deactivate(): void {}
