/** The forms' webview view types (package.json `onWebviewPanel:` activation events list the same). */
export const CONNECTION_VIEW_TYPE = 'visen.connection';
export const SETTINGS_VIEW_TYPE = 'visen.settings';
