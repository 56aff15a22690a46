import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';

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

/** The page that hosts a webview bundle (see webviewPage), with this webview's addresses and a fresh nonce. */
export function webviewHtml({ webview, extensionUri, script, style, baseStyles = [], title }: WebviewHtmlOptions): string {
  const asUri = (root: readonly string[], segments: readonly string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...root, ...segments)).toString();
  return webviewPage({
    nonce: randomBytes(16).toString('base64'),
    cspSource: webview.cspSource,
    scriptUri: asUri(WEBVIEW_SCRIPT_ROOT, script),
    styleUris: [...baseStyles, ...(style ? [style] : [])].map((segments) => asUri(WEBVIEW_STYLE_ROOT, segments)),
    title,
    lang: vscode.env.language || 'en',
    // Undefined when VS Code runs in English or Visen has no bundle for its language: the source strings stand.
    l10nBundle: vscode.l10n.bundle ?? {},
  });
}
