import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { VisenLog } from '../platform/log';
import type { Secrets } from '../platform/secrets';
import { keyFor } from './keyDestination';
import { MissingKeyError } from './missingKey';
import type { Ui } from '../platform/ui';
import type { Engine, EngineKind } from '../services/engines/engine';
import { EngineModules, ENGINE_LABELS } from '../services/engines/engineLoader';
import { needsKey, setKeyAction } from '../services/engines/registry';
import type { GenerationStore } from '../services/generation/generationRecord';
import type { MarkdownConverter } from '../services/generation/generator';
import type { Client } from '@notionhq/client';
import type { NotionClients } from '../services/notion/notionClient';
import { rememberedTokenKind } from '../services/notion/tokenIdentity';
import type { ConnectionRepository } from '../services/connections/connectionRepository';
import type { ConnectionSync } from '../services/connections/connectionSync';
import type { LazyGeneration } from '../services/generation/lazyGeneration';
import type { UsageTracker } from '../services/generation/usageTracker';
import type { KeyValueStore } from '../services/keyValueStore';
import type { EditorContextSource } from './promptVariables';

/** What the workflows, and the surfaces over them (commands, forms, tree), receive from the composition root. */
export interface WorkflowDeps {
  readonly ui: Ui;
  readonly log: VisenLog;
  readonly secrets: Secrets;
  readonly notionClients: NotionClients;
  readonly engines: EngineModules;
  readonly generations: GenerationStore;
  readonly connections: ConnectionRepository;
  readonly sync: ConnectionSync;
  readonly generation: LazyGeneration;
  readonly usage: UsageTracker;
  /** Loads the converter of model markdown to Notion blocks (on first use: starting Visen does not need it). */
  readonly converter: () => MarkdownConverter;
  /** VS Code's global state, for services that keep small records (e.g. which rows a fill has done). */
  readonly store: KeyValueStore;
  /** The editor the prompt variables are read from (the last text editor active). */
  readonly editor: EditorContextSource;
  readonly issuesUrl: string;
}

export { MissingKeyError } from './missingKey';

/** What reading a key and building a client needs: asking the user when a key may not go where the settings point. */
export type KeyDeps = Pick<WorkflowDeps, 'secrets' | 'log' | 'notionClients' | 'engines' | 'ui' | 'store'>;

export async function notionClient(deps: KeyDeps): Promise<Client> {
  const found = await keyFor(deps, 'notion');
  if (!found) {
    throw new MissingKeyError(
      vscode.l10n.t('Visen needs your Notion token first.'),
      Commands.setNotionSecret,
      vscode.l10n.t('Set Notion Token'),
    );
  }
  deps.log.mask(found.key);
  return deps.notionClients.get(found.key, found.baseUrl, rememberedTokenKind(deps.store));
}

/** An engine with the stored key and, always explicit, the base URL it may go to (the official one when the setting is empty). */
export async function engineFor(deps: KeyDeps, kind: EngineKind): Promise<Engine> {
  // An engine that needs no key (VS Code's language models) is built at once; the registry says which.
  if (!needsKey(kind)) return (await deps.engines.get(kind)).createEngine({ apiKey: '' });
  const found = await keyFor(deps, kind);
  if (!found) {
    const fix = setKeyAction(kind);
    throw new MissingKeyError(
      vscode.l10n.t('Visen needs your {0} API key to generate with it.', ENGINE_LABELS[kind]),
      fix.command,
      fix.label,
    );
  }
  deps.log.mask(found.key);
  const module = await deps.engines.get(kind);
  return module.createEngine({ apiKey: found.key, baseUrl: found.baseUrl });
}
