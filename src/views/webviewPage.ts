/**
 * The markup of a Visen webview page, apart from VS Code (so a browser test can serve the very same page):
 * a CSP that allows only this page's own script (by nonce) and resources from `cspSource` — no inline
 * styles or scripts, no eval, no network. The body is empty; the script builds the DOM. The translations
 * of VS Code's display language ride along as data on <body> (`data-l10n`, read by
 * media/webview/shared/l10n.ts), so the page needs no inline script or extra request to speak it.
 */
export interface WebviewPageParts {
  readonly nonce: string;
  /** Where the page may load styles, fonts and images from (a webview's `cspSource`). */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUris: readonly string[];
  readonly title: string;
  readonly lang: string;
  readonly l10nBundle: object;
}

export function webviewPage({ nonce, cspSource, scriptUri, styleUris, title, lang, l10nBundle }: WebviewPageParts): string {
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} https: data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${escapeAttribute(lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styleUris.map((uri) => `<link rel="stylesheet" href="${escapeAttribute(uri)}">`).join('\n')}
<title>${escapeText(title)}</title>
</head>
<body data-l10n="${escapeAttribute(JSON.stringify(l10nBundle))}">
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
