// The forms' host side as a bundle of its own (dist/forms.js): the settings and connection forms' controllers,
// panels, protocols and what only they use. Required when a form opens or VS Code restores one (formsLoader),
// so starting Visen does not parse it.
export { closeConnectionPanels, ConnectionFormController, openConnectionPanel, restoreConnectionPanel } from './connectionPanel';
export { closeSettingsPanel, openSettingsPanel, restoreSettingsPanel, SettingsFormController } from './settingsPanel';
