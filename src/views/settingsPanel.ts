import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';
import { SettingsFormController } from './settingsFormController';
import { SETTINGS_VIEW_TYPE } from './settingsProtocol';
import { webviewHtml, webviewOptions } from './webviewHtml';
import { panelRegistries } from './panelRegistry';

export { SettingsFormController } from './settingsFormController';

/** The settings form in an editor tab. */
class SettingsPanel {
  readonly controller: SettingsFormController;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    deps: WorkflowDeps,
    extensionUri: vscode.Uri,
    onDispose: () => void,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'visen.svg');
    panel.title = vscode.l10n.t('Visen Settings');
    this.controller = new SettingsFormController(deps, (message) => panel.webview.postMessage(message));
    panel.webview.html = webviewHtml({
      webview: panel.webview,
      extensionUri,
      script: ['settings.js'],
      baseStyles: [['webview', 'shared', 'form.css']],
      style: ['webview', 'settings.css'],
      title: panel.title,
    });
    this.subscriptions.push(
      this.controller,
      panel.webview.onDidReceiveMessage((message: unknown) => this.controller.handle(message)),
      // Without retainContextWhenHidden VS Code drops the page when the tab is hidden; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.controller.detach();
      }),
      panel.onDidDispose(() => {
        onDispose();
        this.subscriptions.forEach((s) => s.dispose());
      }),
    );
  }
}

/** The one settings panel, if open. */
class SettingsPanels implements vscode.Disposable {
  private current: SettingsPanel | undefined;

  constructor(
    private readonly deps: WorkflowDeps,
    private readonly extensionUri: vscode.Uri,
  ) {}

  show(): vscode.WebviewPanel {
    if (this.current) {
      this.current.panel.reveal();
      return this.current.panel;
    }
    const panel = vscode.window.createWebviewPanel(SETTINGS_VIEW_TYPE, vscode.l10n.t('Visen Settings'), vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    return this.attach(panel).panel;
  }

  /** Gives a panel VS Code restored after a reload its form back (a second one is closed: there is one form). */
  restore(panel: vscode.WebviewPanel): void {
    if (this.current) panel.dispose();
    else this.attach(panel);
  }

  dispose(): void {
    this.current?.panel.dispose();
    this.current = undefined;
  }

  private attach(panel: vscode.WebviewPanel): SettingsPanel {
    const form = new SettingsPanel(panel, this.deps, this.extensionUri, () => {
      if (this.current === form) this.current = undefined;
    });
    this.current = form;
    return form;
  }
}

const panels = panelRegistries((deps, extensionUri) => new SettingsPanels(deps, extensionUri));

/** Opens Visen's settings form, or reveals it when it is open already. */
export function openSettingsPanel(deps: WorkflowDeps, extensionUri: vscode.Uri): vscode.WebviewPanel {
  return panels.registryFor(deps, extensionUri).show();
}

/** Restores the settings panel after a reload and closes it when Visen is deactivated. */
export function registerSettingsPanel(deps: WorkflowDeps, extensionUri: vscode.Uri): vscode.Disposable {
  return panels.register(SETTINGS_VIEW_TYPE, deps, extensionUri);
}
