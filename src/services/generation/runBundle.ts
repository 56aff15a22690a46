// The generation machinery as a bundle of its own (dist/run.js), required on the first generation, write,
// undo or fill (through LazyGeneration): the generator, chunker, page editor, block writer, database fill and
// its queue. Starting Visen never parses it.
import * as l10n from '@vscode/l10n';
import { type NotionSdk, useNotionSdk } from '../notion/sdk';

export { DatabaseFiller } from './databaseFill';
export { GenerationService } from './generationService';
export { PageLocks } from './pageLocks';
export { NotionDatabases } from '../notion/notionDatabases';

/**
 * This bundle has its own copies of @vscode/l10n and of the SDK's loader: the extension hands it VS Code's
 * messages and its Notion SDK bundle as it loads it.
 */
export function configure(options: { readonly l10n: Record<string, string>; readonly notionSdk: () => NotionSdk }): void {
  l10n.config({ contents: options.l10n });
  useNotionSdk(options.notionSdk);
}
