import * as l10n from '@vscode/l10n';
import type { ModelDefaults } from '../services/engines/modelDefaults';
import { type NotionSdk, useNotionSdk } from '../services/notion/sdk';
import { useModelDefaults } from './config';

/** What a bundle loaded on first use is handed by the extension's (see `bundleConfig` in bundles.ts). */
export interface BundleConfig {
  readonly l10n: Record<string, string>;
  readonly notionSdk: () => NotionSdk;
  readonly modelDefaults: ModelDefaults | undefined;
}

/**
 * A bundle loaded on first use has its own copies of @vscode/l10n, of the SDK's loader and of the settings'
 * model defaults: bound, as it loads, to VS Code's messages, the Notion SDK bundle and the extension's defaults.
 */
export function configureBundle(options: BundleConfig): void {
  l10n.config({ contents: options.l10n });
  useNotionSdk(options.notionSdk);
  useModelDefaults(options.modelDefaults);
}
