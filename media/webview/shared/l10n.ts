/**
 * Loads the page's translations into @vscode/l10n. The host puts the bundle of VS Code's display language
 * on <body> as `data-l10n` (src/views/webviewHtml.ts); an empty or missing one leaves the English source
 * strings.
 *
 * A form imports this module before anything that produces a string, as its first import: a module's
 * imports are evaluated before its own body, so constants built at the top of a form's main.ts already
 * see the bundle. Strings are marked where they are written, with `l10n.t` imported from '@vscode/l10n'
 * itself, which is what `npm run l10n` looks for when it exports them to l10n/bundle.l10n.json.
 */
import * as l10n from '@vscode/l10n';

type Bundle = Record<string, string | { message: string; comment: string[] }>;

function pageBundle(): Bundle {
  const raw = document.body?.dataset.l10n;
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Bundle) : {};
  } catch {
    // A broken bundle costs the translations, not the form.
    return {};
  }
}

l10n.config({ contents: pageBundle() });
