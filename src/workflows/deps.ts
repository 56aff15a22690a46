import type { VisenLog } from '../platform/log';
import type { Secrets } from '../platform/secrets';
import type { Ui } from '../platform/ui';
import type { EngineModules } from '../services/engines/engineLoader';
import type { GenerationStore } from '../services/generation/generationStore';
import type { MarkdownConverter } from '../services/generation/generator';
import type { NotionClients } from '../services/notion/notionClient';
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
