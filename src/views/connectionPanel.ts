import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';
import type { Connection } from '../services/connections/connection';
import { CONNECTION_VIEW_TYPE } from './connectionProtocol';
import { ConnectionFormController } from './connectionFormController';
import { formPanels } from './formPanel';

export { ConnectionFormController } from './connectionFormController';

/** What a connection panel opens with: a connection, or none for step 1 of a new one. */
interface ConnectionArgs {
  readonly connectionId?: string;
}

/** What a restored panel's webview had saved: only the connection id matters to the host. */
function savedConnectionId(state: unknown): string | undefined {
  const id = state && typeof state === 'object' ? (state as { connectionId?: unknown }).connectionId : undefined;
  return typeof id === 'string' && id.length <= 100 ? id : undefined;
}

/** The connection form: one panel per connection, and at most one blank "New Connection". */
const panels = formPanels<ConnectionFormController, ConnectionArgs>({
  viewType: CONNECTION_VIEW_TYPE,
  script: 'connection.js',
  style: 'connection.css',
  create: (deps, post, { connectionId }, hooks) =>
    new ConnectionFormController(deps, post, { connectionId, onConnection: () => hooks.changed(), onDeleted: () => hooks.close() }),
  title: (form) => (form.connection ? vscode.l10n.t('Visen: {0}', form.connection.name) : vscode.l10n.t('Visen: New Connection')),
  shows: (form) => form.connection?.id,
  willShow: ({ connectionId }) => connectionId,
  restore: (state, deps, isOpen) => {
    const id = savedConnectionId(state);
    const connectionId = id && deps.connections.get(id) && !isOpen(id) ? id : undefined;
    return { connectionId };
  },
  titleChanges: (deps, retitle) => {
    const subscription = deps.connections.onDidChange(retitle);
    return new vscode.Disposable(() => subscription.dispose());
  },
});

/**
 * Opens the form for a connection (at step 2), or a new connection's form (step 1); reveals the panel
 * already open for it instead of opening a second.
 */
export function openConnectionPanel(deps: WorkflowDeps, extensionUri: vscode.Uri, connection?: Connection): vscode.WebviewPanel {
  return panels.open(deps, extensionUri, { connectionId: connection?.id });
}

/** Takes over a connection panel VS Code restored after a reload. */
export function restoreConnectionPanel(deps: WorkflowDeps, extensionUri: vscode.Uri, panel: vscode.WebviewPanel, state: unknown): void {
  panels.restore(deps, extensionUri, panel, state);
}

/** Closes every connection panel (Visen is deactivated). */
export function closeConnectionPanels(deps: WorkflowDeps): void {
  panels.close(deps);
}
