import * as vscode from 'vscode';
import { Commands, Views } from '../constants';
import type { Connection } from '../services/connections/connection';
import type { WorkflowDeps } from '../workflows/deps';
import { blockCounts, type GenerationRecord, type GenerationStore, offersUndo } from '../workflows/history';
import { ENGINE_LABELS } from '../services/engines/engineLoader';
import { blockCount, describeUse, formatTokens, timeAgo } from '../workflows/format';
import { generationUri } from './generationDocuments';

export class ConnectionItem extends vscode.TreeItem {
  constructor(
    readonly connection: Connection,
    hasHistory: boolean,
  ) {
    super(connection.name, hasHistory ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `connection:${connection.id}`;
    this.iconPath = new vscode.ThemeIcon(connection.type === 'database' ? 'database' : 'file');
    this.description = describeUse(connection);
    this.contextValue = `visen.connection.${connection.type}`;
    const tooltip = new vscode.MarkdownString();
    tooltip
      .appendMarkdown('**')
      .appendText(connection.target.title || connection.name)
      .appendMarkdown('**\n\n');
    tooltip.appendText(connection.target.url).appendMarkdown('\n\n');
    tooltip.appendText(
      vscode.l10n.t(
        '{0} · {1} tokens in, {2} out',
        describeUse(connection),
        formatTokens(connection.usage.inputTokens),
        formatTokens(connection.usage.outputTokens),
      ),
    );
    if (connection.lastPrompt)
      tooltip.appendMarkdown('\n\n').appendText(vscode.l10n.t('Last prompt: {0}', connection.lastPrompt.slice(0, 300)));
    this.tooltip = tooltip;
    this.command = {
      command: Commands.openConnection,
      title: vscode.l10n.t('Open Connection'),
      arguments: [{ connectionId: connection.id }],
    };
  }
}

const STATUS_ICONS: Record<GenerationRecord['status'], string> = {
  written: 'pass',
  writeFailed: 'warning',
  failed: 'error',
  cancelled: 'circle-slash',
  generating: 'loading~spin',
  interrupted: 'debug-disconnect',
};

export class GenerationItem extends vscode.TreeItem {
  constructor(
    readonly record: GenerationRecord,
    undoable: boolean,
  ) {
    super(record.prompt.replace(/\s+/g, ' ').slice(0, 80), vscode.TreeItemCollapsibleState.None);
    this.id = `generation:${record.id}`;
    this.iconPath = new vscode.ThemeIcon(record.undoneAt ? 'discard' : STATUS_ICONS[record.status]);
    this.description = `${timeAgo(record.createdAt)} · ${ENGINE_LABELS[record.engine]} · ${blockCount(blockCounts(record).total)}`;
    this.contextValue = undoable ? 'visen.generation.undoable' : 'visen.generation';
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(record.prompt.slice(0, 500)).appendMarkdown('\n\n');
    tooltip.appendText(`${record.model} · ${new Date(record.createdAt).toLocaleString()} · ${statusText(record)}`);
    if (record.error) tooltip.appendMarkdown('\n\n').appendText(record.error);
    this.tooltip = tooltip;
    this.command = { command: 'vscode.open', title: vscode.l10n.t('Open Generated Content'), arguments: [generationUri(record)] };
  }
}

function statusText(record: GenerationRecord): string {
  if (record.undoneAt) return vscode.l10n.t('undone');
  switch (record.status) {
    case 'written':
      return vscode.l10n.t('{0} blocks written', blockCounts(record).written);
    case 'writeFailed':
      return vscode.l10n.t('{0} of {1} blocks written', blockCounts(record).written, blockCounts(record).total);
    case 'cancelled':
      return vscode.l10n.t('cancelled');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'interrupted':
      return vscode.l10n.t('Interrupted · {0} of {1} blocks written', blockCounts(record).written, blockCounts(record).total);
    default:
      return vscode.l10n.t('generating');
  }
}

type Node = ConnectionItem | GenerationItem;

/** The Connections view: connections by last use, their generations below them. */
export class ConnectionsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly connections: WorkflowDeps['connections'],
    private readonly generations: GenerationStore,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node;
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const records = this.generations.list();
      return this.connections.list().map(
        (c) =>
          new ConnectionItem(
            c,
            records.some((r) => r.connectionId === c.id),
          ),
      );
    }
    if (node instanceof ConnectionItem) {
      const records = this.generations.forConnection(node.connection.id);
      const all = this.generations.list();
      return records.map((r) => new GenerationItem(r, offersUndo(r, all)));
    }
    return [];
  }

  getParent(node: Node): Node | undefined {
    if (node instanceof GenerationItem && node.record.connectionId) {
      const connection = this.connections.get(node.record.connectionId);
      return connection ? new ConnectionItem(connection, true) : undefined;
    }
    return undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Registers the view; it refreshes itself when connections or generations change. */
export function registerConnectionsTree(
  connections: WorkflowDeps['connections'],
  generations: GenerationStore,
): { provider: ConnectionsTreeProvider; disposable: vscode.Disposable } {
  const provider = new ConnectionsTreeProvider(connections, generations);
  const view = vscode.window.createTreeView(Views.connections, { treeDataProvider: provider, showCollapseAll: true });
  const subscriptions = [connections.onDidChange(() => provider.refresh()), generations.onDidChange(() => provider.refresh())];
  return {
    provider,
    disposable: vscode.Disposable.from(provider, view, new vscode.Disposable(() => subscriptions.forEach((s) => s.dispose()))),
  };
}
