import * as vscode from 'vscode';
import { ContextKeys } from '../constants';
import { onDidChange, readConfig } from '../platform/config';
import { Secrets } from '../platform/secrets';
import { engineKeyReady } from '../workflows/keys';
import { needsKey } from '../services/engines/registry';
import type { WorkflowDeps } from '../workflows/deps';
import type { GenerationStore } from '../workflows/history';
import type { WalkthroughProgress } from './walkthrough';

/**
 * Keeps the context keys that drive the welcome content, menus and the walkthrough's completion
 * current. The last values are kept so tests can read what VS Code was told.
 */
export class VisenContextKeys implements vscode.Disposable {
  readonly values = new Map<string, boolean>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly secrets: Secrets,
    private readonly connections: WorkflowDeps['connections'],
    private readonly generations: GenerationStore,
    private readonly walkthrough?: WalkthroughProgress,
  ) {
    // The history changes at every save of a run: that reads no key.
    const subscriptions = [connections.onDidChange(() => void this.updateState()), generations.onDidChange(() => void this.updateState())];
    this.disposables.push(
      secrets.onDidChange(() => void this.update()),
      onDidChange(() => void this.update()),
      new vscode.Disposable(() => subscriptions.forEach((s) => s.dispose())),
    );
  }

  /** Resolves once VS Code has every current value. */
  async update(): Promise<void> {
    const config = readConfig();
    // An engine that needs no key (VS Code's language models) is ready as it is: the walkthrough's engine step is done.
    const engine = config.engine;
    const [notion, engineKey] = await Promise.all([
      this.secrets.get('visen.notion.secret'),
      needsKey(engine) ? engineKeyReady({ secrets: this.secrets }, engine) : true,
    ]);
    await Promise.all([
      this.set(ContextKeys.hasNotionSecret, Boolean(notion)),
      this.set(ContextKeys.hasEngineKey, Boolean(engineKey)),
      this.set(ContextKeys.hasConnectionsDatabase, config.connectionsDatabase !== ''),
      this.updateState(),
    ]);
  }

  /** What the connections and the history say, without reading a key. */
  private async updateState(): Promise<void> {
    await Promise.all([
      this.set(ContextKeys.hasConnections, this.connections.list().length > 0),
      this.set(ContextKeys.hasGenerated, this.generations.latest((r) => r.status === 'written') !== undefined),
    ]);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  private async set(key: string, value: boolean): Promise<void> {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    await vscode.commands.executeCommand('setContext', key, value);
    await this.walkthrough?.mark(key, value);
  }
}
