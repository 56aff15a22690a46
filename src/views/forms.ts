// The forms' host side as a bundle of its own (dist/forms.js): the settings and connection forms' controllers,
// panels, protocols and what only they use. Required when a form opens or VS Code restores one (formsLoader),
// so starting Visen does not parse it.
import * as l10n from '@vscode/l10n';
import { useModelDefaults } from '../platform/config';
import type { ModelDefaults } from '../services/engines/modelDefaults';
import { type NotionSdk, useNotionSdk } from '../services/notion/sdk';

export { closeConnectionPanels, ConnectionFormController, openConnectionPanel, restoreConnectionPanel } from './connectionPanel';
export { closeSettingsPanel, openSettingsPanel, restoreSettingsPanel, SettingsFormController } from './settingsPanel';

/**
 * This bundle has its own copies of @vscode/l10n, of the SDK's loader and of the settings' model defaults: the
 * extension hands it VS Code's messages, its Notion SDK bundle and its model defaults as it loads it.
 */
export function configure(options: { readonly l10n: Record<string, string>; readonly notionSdk: () => NotionSdk; readonly modelDefaults: ModelDefaults | undefined }): void {
  l10n.config({ contents: options.l10n });
  useNotionSdk(options.notionSdk);
  useModelDefaults(options.modelDefaults);
}
