import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Where built webview scripts live (esbuild's `webviews` entries) and where their static assets live. */
export const WEBVIEW_SCRIPT_ROOT = ['dist', 'webview'] as const;
export const WEBVIEW_STYLE_ROOT = ['media'] as const;

/** The folders a Visen webview may load from, for `localResourceRoots`. */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, ...WEBVIEW_SCRIPT_ROOT), vscode.Uri.joinPath(extensionUri, ...WEBVIEW_STYLE_ROOT)];
}

/** Options for a webview that runs Visen's scripts, limited to the built assets. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
}

export interface WebviewHtmlOptions {
  readonly webview: vscode.Webview;
  readonly extensionUri: vscode.Uri;
  /** The bundle, as path segments under dist/webview, e.g. ['connection.js']. */
  readonly script: readonly string[];
  /** A stylesheet, as path segments under media, e.g. ['webview', 'connection.css']. */
  readonly style?: readonly string[];
  /** Stylesheets loaded before `style`, e.g. the shared controls in ['webview', 'shared', 'form.css']. */
  readonly baseStyles?: readonly (readonly string[])[];
  readonly title: string;
}

/**
 * The page that hosts a webview bundle, under a CSP that allows only this page's own script (by nonce)
 * and resources served from the extension's folders: no inline styles or scripts, no eval, no network.
 * The body is empty; the script builds the DOM. The translations of VS Code's display language ride along
 * as data on <body> (`data-l10n`, read by media/webview/shared/l10n.ts), so the page needs no inline
 * script or extra request to speak it.
 */
export function webviewHtml({ webview, extensionUri, script, style, baseStyles = [], title }: WebviewHtmlOptions): string {
  const nonce = randomBytes(16).toString('base64');
  const scriptUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_SCRIPT_ROOT, ...script));
  const styleUris = [...baseStyles, ...(style ? [style] : [])].map((segments) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_STYLE_ROOT, ...segments)));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} https: data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  // Undefined when VS Code runs in English or Visen has no bundle for its language: the source strings stand.
  const l10nBundle = JSON.stringify(vscode.l10n.bundle ?? {});
  return `<!DOCTYPE html>
<html lang="${escapeAttribute(vscode.env.language || 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styleUris.map((uri) => `<link rel="stylesheet" href="${escapeAttribute(uri.toString())}">`).join('\n')}
<title>${escapeText(title)}</title>
</head>
<body data-l10n="${escapeAttribute(l10nBundle)}">
<script nonce="${nonce}" src="${escapeAttribute(scriptUri.toString())}"></script>
</body>
</html>`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
