import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';
import type { Connection } from '../services/connections/connection';
import { CONNECTION_VIEW_TYPE } from './connectionProtocol';
import { ConnectionFormController } from './connectionFormController';
import { webviewHtml, webviewOptions } from './webviewHtml';
import { panelRegistries } from './panelRegistry';

export { ConnectionFormController } from './connectionFormController';

/** What a restored panel's webview had saved: only the connection id matters to the host. */
function savedConnectionId(state: unknown): string | undefined {
  const id = state && typeof state === 'object' ? (state as { connectionId?: unknown }).connectionId : undefined;
  return typeof id === 'string' && id.length <= 100 ? id : undefined;
}

/** One connection form in an editor tab. */
class ConnectionPanel {
  readonly controller: ConnectionFormController;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    deps: WorkflowDeps,
    extensionUri: vscode.Uri,
    connectionId: string | undefined,
    private readonly registry: ConnectionPanels,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'visen.svg');
    this.controller = new ConnectionFormController(deps, (message) => panel.webview.postMessage(message), {
      connectionId,
      onConnection: (connection) => this.registry.adopted(this, connection),
      onDeleted: () => panel.dispose(),
    });
    this.updateTitle();
    panel.webview.html = webviewHtml({
      webview: panel.webview,
      extensionUri,
      script: ['connection.js'],
      baseStyles: [['webview', 'shared', 'form.css']],
      style: ['webview', 'connection.css'],
      title: panel.title,
    });
    const connectionsListener = deps.connections.onDidChange(() => this.updateTitle());
    this.subscriptions.push(
      this.controller,
      new vscode.Disposable(() => connectionsListener.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.controller.handle(message)),
      // Without retainContextWhenHidden VS Code drops the page when the tab is hidden; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.controller.detach();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get connectionId(): string | undefined {
    return this.controller.connection?.id;
  }

  private updateTitle(): void {
    const connection = this.controller.connection;
    this.panel.title = connection ? vscode.l10n.t('Visen: {0}', connection.name) : vscode.l10n.t('Visen: New Connection');
  }

  private dispose(): void {
    this.registry.forget(this);
    this.subscriptions.forEach((s) => s.dispose());
  }

  adoptedAs(): void {
    this.updateTitle();
  }
}

/** The open connection panels, one per connection (and at most one blank "New Connection"). */
class ConnectionPanels implements vscode.Disposable {
  private readonly open = new Set<ConnectionPanel>();

  constructor(
    private readonly deps: WorkflowDeps,
    private readonly extensionUri: vscode.Uri,
  ) {}

  show(connection?: Connection): vscode.WebviewPanel {
    const existing = [...this.open].find((p) => p.connectionId === connection?.id);
    if (existing) {
      existing.panel.reveal();
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      CONNECTION_VIEW_TYPE,
      connection ? vscode.l10n.t('Visen: {0}', connection.name) : vscode.l10n.t('Visen: New Connection'),
      vscode.ViewColumn.Active,
      webviewOptions(this.extensionUri),
    );
    return this.attach(panel, connection?.id).panel;
  }

  /** Gives a panel VS Code restored after a reload its form back. */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const id = savedConnectionId(state);
    const connectionId = id && this.deps.connections.get(id) ? id : undefined;
    const duplicate = connectionId !== undefined && [...this.open].some((p) => p.connectionId === connectionId);
    this.attach(panel, duplicate ? undefined : connectionId);
  }

  /** A new-connection form now shows `connection`: it becomes that connection's panel, unless one is open already. */
  adopted(form: ConnectionPanel, connection: Connection): void {
    const other = [...this.open].find((p) => p !== form && p.connectionId === connection.id);
    if (other) {
      other.panel.reveal();
      form.panel.dispose();
      return;
    }
    form.adoptedAs();
  }

  forget(form: ConnectionPanel): void {
    this.open.delete(form);
  }

  dispose(): void {
    for (const form of [...this.open]) form.panel.dispose();
    this.open.clear();
  }

  private attach(panel: vscode.WebviewPanel, connectionId: string | undefined): ConnectionPanel {
    const form = new ConnectionPanel(panel, this.deps, this.extensionUri, connectionId, this);
    this.open.add(form);
    return form;
  }
}

const panels = panelRegistries((deps, extensionUri) => new ConnectionPanels(deps, extensionUri));

/**
 * Opens the form for a connection (at step 2), or a new connection's form (step 1); reveals the panel
 * already open for it instead of opening a second.
 */
export function openConnectionPanel(deps: WorkflowDeps, extensionUri: vscode.Uri, connection?: Connection): vscode.WebviewPanel {
  return panels.registryFor(deps, extensionUri).show(connection);
}

/** Restores connection panels after a reload and closes every panel when Visen is deactivated. */
export function registerConnectionPanels(deps: WorkflowDeps, extensionUri: vscode.Uri): vscode.Disposable {
  return panels.register(CONNECTION_VIEW_TYPE, deps, extensionUri);
}
