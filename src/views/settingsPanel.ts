import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';
import { SettingsFormController } from './settingsFormController';
import { SETTINGS_VIEW_TYPE } from './settingsProtocol';
import { formPanels } from './formPanel';

export { SettingsFormController } from './settingsFormController';

/** The settings form: there is one, so it always shows the same thing. */
const panels = formPanels<SettingsFormController, object>({
  viewType: SETTINGS_VIEW_TYPE,
  script: 'settings.js',
  style: 'settings.css',
  create: (deps, post) => new SettingsFormController(deps, post),
  title: () => vscode.l10n.t('Visen Settings'),
  shows: () => 'settings',
  willShow: () => 'settings',
  // A second panel VS Code restored is closed: there is one form.
  restore: (_state, _deps, isOpen) => (isOpen('settings') ? undefined : {}),
});

/** Opens Visen's settings form, or reveals it when it is open already. */
export function openSettingsPanel(deps: WorkflowDeps, extensionUri: vscode.Uri): vscode.WebviewPanel {
  return panels.open(deps, extensionUri, {});
}

/** Takes over a settings panel VS Code restored after a reload. */
export function restoreSettingsPanel(deps: WorkflowDeps, extensionUri: vscode.Uri, panel: vscode.WebviewPanel, state: unknown): void {
  panels.restore(deps, extensionUri, panel, state);
}

/** Closes the settings panel (Visen is deactivated). */
export function closeSettingsPanel(deps: WorkflowDeps): void {
  panels.close(deps);
}
