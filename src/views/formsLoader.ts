import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';
import { CONNECTION_VIEW_TYPE, SETTINGS_VIEW_TYPE } from './formViewTypes';

type FormsModule = typeof import('./forms');
let forms: FormsModule | undefined;

/** The forms' host side, required when a form first opens or is restored (a bundle of its own: activation does not parse it). */
export function loadForms(): FormsModule {
  forms ??= require(path.join(__dirname, 'forms.js')) as FormsModule;
  return forms;
}

/**
 * Registers the forms' panel serializers, which load the forms' bundle when VS Code restores a panel after a
 * reload, and closes every form panel when Visen is deactivated. VS Code infers no activation event for a
 * serializer: package.json lists `onWebviewPanel:<viewType>` so that a panel left open revives even when
 * nothing else activates Visen first.
 */
export function registerForms(deps: WorkflowDeps, extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(SETTINGS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        loadForms().restoreSettingsPanel(deps, extensionUri, panel, state);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(CONNECTION_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        loadForms().restoreConnectionPanel(deps, extensionUri, panel, state);
      },
    }),
    new vscode.Disposable(() => {
      forms?.closeSettingsPanel(deps);
      forms?.closeConnectionPanels(deps);
    }),
  );
}
