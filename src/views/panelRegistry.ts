import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';

/** What a webview form's registry does for its panels: bring back one VS Code restored, close them all. */
export interface PanelRegistry {
  restore(panel: vscode.WebviewPanel, state: unknown): void;
  dispose(): void;
}

/**
 * One registry of a form's panels per composition root (the workflows' `deps`), made on first use: `open`
 * commands and VS Code's panel serializer reach the same one, and `register` owns its lifetime.
 */
export function panelRegistries<R extends PanelRegistry>(create: (deps: WorkflowDeps, extensionUri: vscode.Uri) => R) {
  const registries = new WeakMap<WorkflowDeps, R>();
  const registryFor = (deps: WorkflowDeps, extensionUri: vscode.Uri): R => {
    let registry = registries.get(deps);
    if (!registry) {
      registry = create(deps, extensionUri);
      registries.set(deps, registry);
    }
    return registry;
  };
  /**
   * Restores the form's panels after a reload and closes them when Visen is deactivated. VS Code infers no
   * activation event for a serializer: package.json lists `onWebviewPanel:<viewType>` so that a panel left
   * open revives even when nothing else activates Visen first.
   */
  const register = (viewType: string, deps: WorkflowDeps, extensionUri: vscode.Uri): vscode.Disposable => {
    const registry = registryFor(deps, extensionUri);
    const serializer = vscode.window.registerWebviewPanelSerializer(viewType, {
      async deserializeWebviewPanel(panel, state: unknown) {
        registry.restore(panel, state);
      },
    });
    return new vscode.Disposable(() => {
      serializer.dispose();
      registry.dispose();
      registries.delete(deps);
    });
  };
  return { registryFor, register };
}
