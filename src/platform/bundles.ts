import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineKind, EngineModule } from '../services/engines/engine';
import type { MarkdownConverter } from '../services/generation/generator';
import type { RunModule } from '../services/generation/lazyGeneration';
import type { NotionSdk } from '../services/notion/sdk';
import type { BundleConfig } from './bundleConfig';
import { modelDefaultsInUse } from './config';

/**
 * Code that starting Visen does not need lives in bundles of its own next to the extension's, required on
 * first use: each engine with its SDK (or, for `vscode-lm`, its adapter over the vscode API), the markdown
 * converter with its parser, the Notion SDK, and the generation machinery.
 */
export function loadEngineBundle(kind: EngineKind): EngineModule {
  // Each engine bundle has its own copy of @vscode/l10n, configured with VS Code's bundle as it loads.
  const engine = require(path.join(__dirname, 'engines', `${kind}.js`)) as EngineModule;
  engine.configureL10n(vscode.l10n.bundle ?? {});
  return engine;
}

/** The Notion SDK's own bundle, for `useNotionSdk`: required on the first Notion request. */
export function loadNotionSdkBundle(): NotionSdk {
  return require(path.join(__dirname, 'notion.js')) as NotionSdk;
}

/**
 * The generation machinery's bundle, for `LazyGeneration`: required on the first generation, write, undo or
 * fill, and handed what its own copies of @vscode/l10n and the SDK loader need.
 */
export function loadRunBundle(): RunModule {
  const run = require(path.join(__dirname, 'run.js')) as RunModule;
  run.configure({ l10n: vscode.l10n.bundle ?? {}, notionSdk: loadNotionSdkBundle });
  return run;
}

let converter: MarkdownConverter | undefined;

export function markdownConverter(): MarkdownConverter {
  converter ??= (require(path.join(__dirname, 'markdown.js')) as typeof import('../services/notion/markdownBlocks')).markdownToBlocks;
  return converter;
}

/** What a bundle loaded on first use is configured with as it loads (its `configure`, see configureBundle). */
export function bundleConfig(): BundleConfig {
  return { l10n: vscode.l10n.bundle ?? {}, notionSdk: loadNotionSdkBundle, modelDefaults: modelDefaultsInUse() };
}
