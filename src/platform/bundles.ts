import * as path from 'node:path';
import type { EngineKind, EngineModule } from '../services/engines/engine';
import type { MarkdownConverter } from '../services/generation/generator';
import type { RunModule } from '../services/generation/lazyGeneration';
import type { NotionSdk } from '../services/notion/sdk';

/**
 * Code that starting Visen does not need lives in bundles of its own next to the extension's, required on
 * first use: each engine with its SDK (or, for `vscode-lm`, its adapter over the vscode API), the markdown
 * converter with its parser, the Notion SDK, and the generation machinery.
 */
export function loadEngineBundle(kind: EngineKind): EngineModule {
  return require(path.join(__dirname, 'engines', `${kind}.js`)) as EngineModule;
}

/** The Notion SDK's own bundle, for `useNotionSdk`: required on the first Notion request. */
export function loadNotionSdkBundle(): NotionSdk {
  return require(path.join(__dirname, 'notion.js')) as NotionSdk;
}

/** The generation machinery's bundle, for `LazyGeneration`: required on the first generation, write, undo or fill. */
export function loadRunBundle(): RunModule {
  return require(path.join(__dirname, 'run.js')) as RunModule;
}

let converter: MarkdownConverter | undefined;

export function markdownConverter(): MarkdownConverter {
  converter ??= (require(path.join(__dirname, 'markdown.js')) as typeof import('../services/notion/markdownBlocks')).markdownToBlocks;
  return converter;
}
