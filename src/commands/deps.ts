import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { VisenLog } from '../platform/log';
import type { Secrets } from '../platform/secrets';
import { keyFor } from './keyDestination';
import type { Ui } from '../platform/ui';
import type { Engine, EngineKind } from '../services/engines/engine';
import { EngineModules, ENGINE_LABELS } from '../services/engines/engineLoader';
import type { GenerationStore } from '../services/generation/generationRecord';
import type { MarkdownConverter } from '../services/generation/generator';
import type { Client } from '@notionhq/client';
import type { NotionClients } from '../services/notion/notionClient';
import type { ConnectionRepository } from '../services/connections/connectionRepository';
import type { ConnectionSync } from '../services/connections/connectionSync';
import type { GenerationService } from '../services/generation/generationService';
import type { UsageTracker } from '../services/generation/usageTracker';
import type { KeyValueStore } from '../services/keyValueStore';

/** What command modules receive from the composition root. */
export interface CommandDeps {
  readonly ui: Ui;
  readonly log: VisenLog;
  readonly secrets: Secrets;
  readonly notionClients: NotionClients;
  readonly engines: EngineModules;
  readonly generations: GenerationStore;
  readonly connections: ConnectionRepository;
  readonly sync: ConnectionSync;
  readonly generation: GenerationService;
  readonly usage: UsageTracker;
  /** Loads the converter of model markdown to Notion blocks (on first use: starting Visen does not need it). */
  readonly converter: () => MarkdownConverter;
  /** VS Code's global state, for services that keep small records (e.g. which rows a fill has done). */
  readonly store: KeyValueStore;
  readonly issuesUrl: string;
}

/** A key that is missing or may not be sent, told with the command that fixes it (and its arguments). */
export class MissingKeyError extends Error {
  constructor(message: string, readonly command: string, readonly action: string, readonly args?: readonly unknown[]) {
    super(message);
  }
}

/** What reading a key and building a client needs: asking the user when a key may not go where the settings point. */
export type KeyDeps = Pick<CommandDeps, 'secrets' | 'log' | 'notionClients' | 'engines' | 'ui' | 'store'>;

export async function notionClient(deps: KeyDeps): Promise<Client> {
  const found = await keyFor(deps, 'notion');
  if (!found) {
    throw new MissingKeyError(
      vscode.l10n.t('Visen needs your Notion integration secret first.'),
      Commands.setNotionSecret,
      vscode.l10n.t('Set Notion Integration Secret'),
    );
  }
  deps.log.mask(found.key);
  return deps.notionClients.get(found.key, found.baseUrl);
}

/** An engine with the stored key and, always explicit, the base URL it may go to (the official one when the setting is empty). */
export async function engineFor(deps: KeyDeps, kind: EngineKind): Promise<Engine> {
  const found = await keyFor(deps, kind);
  if (!found) {
    throw new MissingKeyError(
      vscode.l10n.t('Visen needs your {0} API key to generate (visen.engine is "{1}").', ENGINE_LABELS[kind], kind),
      kind === 'gemini' ? Commands.setGeminiKey : Commands.setOpenAIKey,
      kind === 'gemini' ? vscode.l10n.t('Set Gemini API Key') : vscode.l10n.t('Set OpenAI API Key'),
    );
  }
  deps.log.mask(found.key);
  const module = await deps.engines.get(kind);
  return module.createEngine({ apiKey: found.key, baseUrl: found.baseUrl });
}

const SHOW_LOG = () => vscode.l10n.t('Show Log');

/**
 * Shows an error that says what happened and what to do, with the action that fixes it (when there
 * is one) and "Show Log". Runs the chosen action.
 */
export async function showError(deps: CommandDeps, message: string, fix?: { label: string; command: string; args?: unknown[] }): Promise<void> {
  deps.log.error(message);
  const actions = fix ? [fix.label, SHOW_LOG()] : [SHOW_LOG()];
  const choice = await deps.ui.error(message, ...actions);
  if (choice === SHOW_LOG()) deps.log.show();
  else if (fix && choice === fix.label) await vscode.commands.executeCommand(fix.command, ...(fix.args ?? []));
}

/** Runs a command body, turning a missing key or an unexpected failure into a helpful message. */
export function guarded<A extends unknown[]>(deps: CommandDeps, body: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (error) {
      if (error instanceof MissingKeyError) {
        await showError(deps, error.message, { label: error.action, command: error.command, args: error.args ? [...error.args] : undefined });
      } else {
        await showError(deps, error instanceof Error ? error.message : String(error));
      }
    }
  };
}
