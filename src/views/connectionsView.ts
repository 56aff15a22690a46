import * as vscode from 'vscode';
import { ContextKeys, Views } from '../constants';
import type { Secrets } from '../platform/secrets';

/**
 * The Connections view. Until connections exist it has no items, so VS Code shows its welcome content,
 * which depends on whether a Notion secret is set.
 */
export function registerConnectionsView(secrets: Secrets): vscode.Disposable {
  const provider: vscode.TreeDataProvider<never> = {
    getTreeItem: (item) => item,
    getChildren: () => [],
  };
  const updateContext = async () => {
    await vscode.commands.executeCommand('setContext', ContextKeys.hasNotionSecret, Boolean(await secrets.get('visen.notion.secret')));
  };
  void updateContext();
  return vscode.Disposable.from(
    vscode.window.registerTreeDataProvider(Views.connections, provider),
    secrets.onDidChange((name) => {
      if (name === 'visen.notion.secret') void updateContext();
    }),
  );
}
