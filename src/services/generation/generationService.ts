import type { Client } from '@notionhq/client';
import * as l10n from '@vscode/l10n';
import type { Connection } from '../connections/connection';
import type { ConnectionRepository } from '../connections/connectionRepository';
import type { ConnectionSync } from '../connections/connectionSync';
import type { Engine, EngineKind } from '../engines/engine';
import type { Logger } from '../logger';
import { NotionDatabases } from '../notion/notionDatabases';
import { NotionPageRef, NotionPages } from '../notion/notionPages';
import { FILLABLE_TYPES, PropertySchema, PropertyValueError, valuesSchema } from '../notion/propertyValues';
import { BlockWriter } from '../notion/blockWriter';
import { type PageHeading, pageHeadings } from '../notion/pageHeadings';
import { mentionsPage, pageContext, readPageMarkdown } from '../notion/pageMarkdown';
import { type GenerationRecord, newRecord, type WriteMode, type WritePlan } from './generationRecord';
import { type GenerationStore } from './generationStore';
import { checkScalar, display, entryInstructions, entryValues, givenProperties, type PreviewValue } from './entryValues';
import { convertAll, GenerationOutcome, GenerationProgress, Generator, MarkdownConverter } from './generator';
import { type LostPlace, PageEditor, UndoPlan, UndoProgress } from './pageEditor';
import { givenText } from './givenText';
import { PageLocks } from './pageLocks';
import { promptProblem } from './prompt';
import type { UsageTracker } from './usageTracker';

export interface GenerationServiceDeps {
  /** The Notion client for the stored secret; throws when there is none. */
  readonly notion: () => Promise<Client>;
  /** The engine for the stored key; throws when there is none. */
  readonly engine: (kind: EngineKind) => Promise<Engine>;
  readonly generations: GenerationStore;
  readonly connections: ConnectionRepository;
  readonly sync: ConnectionSync;
  readonly usage: UsageTracker;
  readonly logger: Logger;
  /** The markdown → Notion blocks converter, loaded on first use (it is not needed to start Visen). */
  readonly converter: () => MarkdownConverter;
  /** The page locks every run shares (a new set when not given). */
  readonly locks?: PageLocks;
}

export interface RunOptions {
  readonly connection: Connection;
  readonly prompt: string;
  readonly engine: EngineKind;
  readonly model: string;
  /** Where the text goes; `mode`, `afterBlock` and `replacing` say it field by field when there is no `plan`. */
  readonly plan?: WritePlan;
  readonly mode?: WriteMode;
  readonly instructions?: string;
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: GenerationProgress) => void;
  readonly onText?: (text: string) => void;
  /**
   * The connection's page as the surface checked it with Notion just before (its title, that it is shared):
   * `run` takes it instead of asking Notion a second time. Another page than the connection's is ignored.
   */
  readonly page?: NotionPageRef;
  /** Where the text comes from instead of the engine of `engine`: the chat's own model, or markdown given as it is (written, not generated). */
  readonly source?: Engine | { readonly markdown: string };
  /** With mode `replace`: exactly these blocks (an earlier generation's) go to the trash, not the page's. */
  readonly replacing?: readonly string[];
  /** The client and engine the surface's workflow resolved for this run (each key read once): not resolved again. */
  readonly context?: { readonly client: Client; readonly engine: Engine };
  /** The page to write into when it is not the connection's own (an entry of a database connection). */
  readonly pageId?: string;
  /** With mode `afterHeading`: the heading (a top-level block of the page) the text goes right after. */
  readonly afterBlock?: string;
  /** Asked with the size of the page's content before it goes with the prompt for `{{page}}`; false: nothing is sent. */
  readonly confirmPageContext?: (chars: number, pageTitle: string) => Promise<boolean>;
}

export interface RunResult extends GenerationOutcome {
  /** The connection with its usage counted. */
  readonly connection: Connection;
  /** Set when the generation went well but the connections database could not be updated. */
  readonly syncError?: Error;
}

/** Where a run's text goes, as one value: the options' plan, or their fields. */
function planOf(options: RunOptions): WritePlan {
  return options.plan ?? { mode: options.mode ?? 'append', afterBlock: options.afterBlock, replacing: options.replacing };
}

const sameId = (a: string, b: string) => a.replace(/-/g, '') === b.replace(/-/g, '');

/** Every surface checks the prompt as it is typed; a prompt that arrives some other way is checked here. */
function checkPrompt(prompt: string): void {
  const problem = promptProblem(prompt);
  if (problem) throw new Error(problem);
}

/**
 * One generation for a connection, from any surface (palette, form, tree): check the page, stream
 * into it, count the usage and mirror the connection's row.
 */
export class GenerationService {
  /** One run per page at a time, across every surface and the database fill. */
  readonly locks: PageLocks;

  constructor(private readonly deps: GenerationServiceDeps) {
    this.locks = deps.locks ?? new PageLocks();
  }

  async resolvePage(input: string): Promise<NotionPageRef> {
    return new NotionPages(await this.deps.notion()).resolvePage(input);
  }

  /** The page's top-level headings, which "after a heading" can write after. */
  async headings(pageId: string, signal?: AbortSignal): Promise<PageHeading[]> {
    return pageHeadings(new BlockWriter(await this.deps.notion()), pageId, signal);
  }

  /** The connection for a page, created (named after the page) when there is none. */
  async connectionFor(page: NotionPageRef, name?: string): Promise<Connection> {
    const existing = this.deps.connections.findByTarget(page.id);
    if (existing) return existing;
    const created = await this.deps.connections.create({
      name: name ?? page.title,
      type: 'page',
      target: { id: page.id, url: page.url, title: page.title },
    });
    await this.pushQuietly(created);
    return this.deps.connections.get(created.id) ?? created;
  }

  async run(options: RunOptions): Promise<RunResult> {
    checkPrompt(options.prompt);
    const { client, engine } = await this.resolve(options);
    const pageId = options.pageId ?? options.connection.target.id;
    const checked = options.page && sameId(options.page.id, pageId) ? options.page : undefined;
    const page = checked ?? (await new NotionPages(client).resolvePage(pageId));
    const outcome = await this.generate(client, engine, page, options);
    return this.afterGeneration(options.connection, outcome, page.title);
  }

  /** Streams the connection's prompt into `page` where `plan` says (the options' own when not given). */
  private generate(
    client: Client,
    engine: Engine,
    page: NotionPageRef,
    options: RunOptions,
    plan = planOf(options),
  ): Promise<GenerationOutcome> {
    return this.generator(client).run({
      page,
      connectionId: options.connection.id,
      prompt: options.prompt,
      plan,
      engine,
      model: options.model,
      instructions: options.instructions,
      signal: options.signal,
      onProgress: options.onProgress,
      onText: options.onText,
      pageContent: async (signal) => pageContext(await readPageMarkdown(client, page.id, signal)),
      confirmPage: options.confirmPageContext && ((chars) => options.confirmPageContext!(chars, page.title)),
    });
  }

  /** The run's client and engine: those the workflow resolved, else read here. */
  private async resolve(options: RunOptions): Promise<{ client: Client; engine: Engine }> {
    if (options.context) return options.context;
    return { client: await this.deps.notion(), engine: await this.engineOf(options) };
  }

  private engineOf(options: RunOptions): Promise<Engine> {
    const source = options.source;
    if (source && 'markdown' in source) return Promise.resolve(givenText(options.engine, source.markdown));
    return source ? Promise.resolve(source) : this.deps.engine(options.engine);
  }

  /**
   * A new entry in a database connection's data source: the engine gives the title and the mapped
   * properties as JSON of the data source's schema (validated and coerced), the row is created, then
   * the body streams into it like any page.
   */
  async runNewEntry(options: RunOptions & { preview?: (values: PreviewValue[]) => Promise<boolean> }): Promise<RunResult | undefined> {
    checkPrompt(options.prompt);
    if (mentionsPage(options.prompt))
      throw new Error(
        l10n.t(
          '{{page}} stands for the content of the page written to, and a new entry has none yet. To use the content of existing rows, use Fill Database Rows.',
        ),
      );
    const connection = options.connection;
    if (!connection.dataSourceId) throw new Error(l10n.t('Choose the data source of "{0}" first.', connection.name));
    const { client, engine } = await this.resolve(options);
    const databases = new NotionDatabases(client);
    const source = await databases.dataSource(connection.dataSourceId);
    const mapped = source.properties.filter(
      (p) => connection.mappedProperties?.includes(p.name) && p.type !== 'title' && (FILLABLE_TYPES as readonly string[]).includes(p.type),
    );
    const title: PropertySchema = { name: source.titleProperty, type: 'title' };
    const coerce = { allowNewOptions: connection.allowNewOptions ?? false };
    const instructions = entryInstructions(options.instructions, source.name, title, mapped);
    const completion = await engine.complete({ model: options.model, prompt: options.prompt, instructions }, options.signal, {
      jsonSchema: valuesSchema([title, ...mapped], coerce),
    });
    // The completion is paid for: whatever happens next, it is kept in the history and counted.
    const keep = async (status: 'failed' | 'cancelled', problem?: Error) => {
      const record = this.completionRecord(options, source.name, completion.text, completion.usage, status, problem?.message);
      await this.deps.generations.save(record);
      await this.afterGeneration(connection, { record }, connection.target.title);
    };
    let values: ReturnType<typeof entryValues>;
    try {
      values = entryValues(completion.text, [title, ...mapped], coerce);
    } catch (problem) {
      if (problem instanceof PropertyValueError) await keep('failed', problem);
      throw problem;
    }
    const { answer, properties, preview } = values;
    if (options.preview && !(await options.preview(preview))) {
      await keep('cancelled');
      return undefined;
    }
    const row = await databases.createRow(connection.dataSourceId, properties);
    const page = { id: row.id, title: display(answer[title.name]) || l10n.t('Untitled'), url: row.url };
    // A new row is empty: its body is appended.
    const generated = await this.generate(client, engine, page, options, { mode: 'append' });
    const usage = generated.record.usage ?? { inputTokens: 0, outputTokens: 0 };
    const record = await this.deps.generations.update(generated.record.id, {
      usage: {
        inputTokens: usage.inputTokens + (completion.usage?.inputTokens ?? 0),
        outputTokens: usage.outputTokens + (completion.usage?.outputTokens ?? 0),
      },
    });
    return this.afterGeneration(connection, { ...generated, record }, connection.target.title);
  }

  /**
   * A new entry with values given as they are (an agent's), checked against the data source's schema: every
   * name must be a property Visen can fill and every value must fit it. `markdown`, when given, becomes its
   * body through the same writer as a generation (recorded, counted, undoable).
   */
  async addEntry(
    options: Omit<RunOptions, 'source' | 'mode' | 'replacing'> & { values: Record<string, unknown>; markdown?: string },
  ): Promise<{ readonly entry: NotionPageRef; readonly result?: RunResult }> {
    checkPrompt(options.prompt);
    // Everything is checked before the row is created: a row whose values or body then failed would be left behind.
    if (options.markdown !== undefined && typeof options.markdown !== 'string')
      throw new PropertyValueError(l10n.t('The content of a new entry must be markdown text. Nothing was written.'));
    checkScalar(options.values);
    const connection = options.connection;
    const client = await this.deps.notion();
    const databases = new NotionDatabases(client);
    const source = await databases.dataSource(await this.dataSourceOf(connection, databases));
    const properties = givenProperties(source, options.values, { allowNewOptions: connection.allowNewOptions ?? false });
    if (options.markdown?.trim()) convertAll(options.markdown, this.deps.converter());
    const row = await databases.createRow(source.id, properties);
    const entry = { id: row.id, title: display(options.values[source.titleProperty]), url: row.url };
    if (!options.markdown?.trim()) return { entry };
    const outcome = await this.generate(client, givenText(options.engine, options.markdown), entry, options, { mode: 'append' });
    return { entry, result: await this.afterGeneration(connection, outcome, connection.target.title) };
  }

  /** The connection's data source; a database with only one is remembered, one with several must be chosen first. */
  private async dataSourceOf(connection: Connection, databases: NotionDatabases): Promise<string> {
    if (connection.dataSourceId) return connection.dataSourceId;
    const database = await databases.resolve(connection.target.id);
    if (database.dataSources.length !== 1) {
      throw new Error(
        database.dataSources.length === 0
          ? l10n.t('"{0}" has no data source to write to.', database.title)
          : l10n.t('Choose the data source of "{0}" first.', connection.name),
      );
    }
    const dataSourceId = database.dataSources[0].id;
    await this.deps.connections.update(connection.id, (c) => ({ ...c, dataSourceId }));
    return dataSourceId;
  }

  /** A new entry's values that never became an entry (they did not fit, or the preview was declined), kept as a record. */
  private completionRecord(
    options: RunOptions,
    database: string,
    text: string,
    usage: GenerationRecord['usage'],
    status: 'failed' | 'cancelled',
    error?: string,
  ): GenerationRecord {
    const target = options.connection.target;
    const page = { id: target.id, title: target.title || database, url: target.url };
    return newRecord(
      { connectionId: options.connection.id, page, prompt: options.prompt, engine: options.engine, model: options.model, mode: 'append' },
      { status, markdown: `\`\`\`json\n${text.trim()}\n\`\`\``, usage, error },
    );
  }

  /** `placeLost`: asked where the text goes when neither the run's blocks nor its heading are in the page any more. */
  async retryWrite(recordId: string, signal: AbortSignal, placeLost?: () => Promise<LostPlace | undefined>): Promise<GenerationOutcome> {
    // A run cut short (its window reloaded or crashed) ended before it was counted: its Retry Write counts it.
    const uncounted = this.deps.generations.get(recordId)?.status === 'interrupted';
    const outcome = await this.generator(await this.deps.notion()).retryWrite(recordId, signal, undefined, placeLost);
    const connection = outcome.record.connectionId ? this.deps.connections.get(outcome.record.connectionId) : undefined;
    if (uncounted && connection && outcome.record.status !== 'interrupted')
      await this.countUse(connection, outcome.record, connection.target.title);
    return outcome;
  }

  private generator(client: Client): Generator {
    return new Generator(new BlockWriter(client), this.deps.converter(), this.deps.generations, this.deps.logger, this.locks);
  }

  /**
   * Reads the page before an undo: which of the generation's blocks are still there and which were edited
   * since, so the confirmation can name them. A write whose outcome was unknown is looked for first.
   */
  async planUndo(record: GenerationRecord, signal?: AbortSignal): Promise<UndoPlan> {
    if (record.legacy) {
      throw new Error(
        l10n.t(
          '"{0}" was written by an earlier version of Visen, which kept no record of its blocks, so it cannot be undone exactly. Use the page history in Notion (••• → Page history).',
          record.page.title,
        ),
      );
    }
    const editor = new PageEditor(new BlockWriter(await this.deps.notion()), record, this.deps.generations);
    if (record.uncertainBlocks) await editor.settleUncertain(convertAll(record.markdown, this.deps.converter()));
    return editor.planUndo(signal);
  }

  /**
   * Deletes exactly the blocks the generation wrote (all, or all but those edited since) and restores the
   * blocks a replace moved to the trash. Cancelled, it can be run again and carries on.
   */
  async undo(
    record: GenerationRecord,
    plan: UndoPlan,
    options: { keepEdited?: boolean; signal?: AbortSignal; onProgress?: (progress: UndoProgress) => void } = {},
  ): Promise<void> {
    const editor = new PageEditor(new BlockWriter(await this.deps.notion()), record, this.deps.generations);
    const release = await this.locks.acquire(record.page.id, options.signal);
    try {
      await editor.undo(plan, options.keepEdited ?? false, options.signal, options.onProgress);
    } finally {
      release();
    }
    const kept = options.keepEdited ? plan.edited : 0;
    this.deps.logger.info(
      `Generation ${record.id} undone on "${record.page.title}": ${plan.present - kept} blocks deleted, ${kept} edited ones kept, ${plan.toRestore} restored.`,
    );
  }

  private async afterGeneration(connection: Connection, outcome: GenerationOutcome, title: string): Promise<RunResult> {
    // A generation that produced text counts, whatever happened to the write: the provider billed it.
    if (outcome.record.markdown.length === 0 && outcome.record.status !== 'written') {
      return { ...outcome, connection };
    }
    const { connection: updated, syncError } = await this.countUse(connection, outcome.record, title);
    return { ...outcome, connection: updated, syncError };
  }

  /** Counts a generation on its connection and in the month's usage, and mirrors the connection to its database. */
  private async countUse(
    connection: Connection,
    record: GenerationRecord,
    title: string,
  ): Promise<{ connection: Connection; syncError?: Error }> {
    await this.deps.usage.add(record.usage);
    const counted = await this.deps.connections.recordUse(connection.id, { prompt: record.prompt, usage: record.usage, title });
    const updated = counted ?? connection;
    const syncError = await this.pushQuietly(updated, record.engine, record.model);
    return { connection: this.deps.connections.get(updated.id) ?? updated, syncError };
  }

  private async pushQuietly(connection: Connection, engine?: string, model?: string): Promise<Error | undefined> {
    try {
      await this.deps.sync.push(connection, engine, model);
      return undefined;
    } catch (error) {
      const problem = error instanceof Error ? error : new Error(String(error));
      this.deps.logger.warn(`Connections database not updated for "${connection.name}": ${problem.message}`);
      return problem;
    }
  }
}
