import * as vscode from 'vscode';
import { Commands } from '../constants';
import { MissingKeyError, notionClient, type WorkflowDeps } from '../workflows/deps';
import { withinBudget } from '../workflows/budget';
import { chooseDataSource, chooseMapping, confirmValues, databaseConnectionFor } from '../workflows/databaseEntry';
import type { RunOptions, RunResult } from '../services/generation/generationService';
import { systemInstructions } from '../services/generation/instructions';
import { modelFor, readConfig } from '../platform/config';
import { ENGINE_SECRET } from '../platform/secrets';
import type { Connection } from '../services/connections/connection';
import { EngineError, type EngineKind } from '../services/engines/engine';
import { DEFAULT_MODELS, ENGINE_KINDS, ENGINE_LABELS, ENGINES, needsKey, setKeyAction } from '../services/engines/registry';
import { blockCounts, type GenerationRecord } from '../services/generation/generationRecord';
import { canUndo, undoTarget } from '../services/generation/undoRules';
import type { GenerationOutcome, GenerationProgress } from '../services/generation/generator';
import { NotionError } from '../services/notion/notionErrors';
import { NotionPages, type NotionPageRef } from '../services/notion/notionPages';
import { parseNotionUrl } from '../services/notion/notionUrl';
import {
  CommandAction,
  ConnectionView,
  EngineView,
  FORM_COMMANDS,
  FormCommand,
  FormState,
  HistoryItem,
  HostMessage,
  ProgressView,
  ReplyResults,
  ResultView,
  RunView,
  ValidationResult,
  WebviewMessage,
  WebviewRequest,
  WriteMode,
  parseWebviewMessage,
} from './connectionProtocol';
import { describeUse, timeAgo } from '../workflows/format';
import { expandPrompt } from '../workflows/promptVariables';
import { errorMessage, FormAction, FormController } from './formController';

/** Streamed text is gathered for this long before it is posted, so a fast model does not flood the webview. */
const TEXT_FLUSH_MS = 40;


export interface ConnectionFormOptions {
  /** The connection the form shows; absent = step 1 of a new connection. */
  readonly connectionId?: string;
  /** Step 1 created (or found) the connection the form now shows. */
  readonly onConnection?: (connection: Connection) => void;
  /** The connection the form showed was deleted. */
  readonly onDeleted?: () => void;
}

type MutableRun = { -readonly [K in keyof RunView]: RunView[K] };

/**
 * Everything the connection form does, without the panel: it takes the webview's messages through
 * `handle` (validating each) and answers through `post`. Extension-host tests drive it directly.
 */
export class ConnectionFormController extends FormController<WebviewMessage, HostMessage, FormState> {
  private connectionId: string | undefined;
  private run: MutableRun | undefined;
  private abort: AbortController | undefined;
  private runCounter = 0;
  private pendingText = '';
  private pendingProgress: ProgressView | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** Refreshes when a connection, the history, a key or a `visen.*` setting changes. */
  constructor(
    deps: WorkflowDeps,
    post: (message: HostMessage) => unknown,
    private readonly options: ConnectionFormOptions = {},
  ) {
    super(deps, post, { name: 'Connection form', parse: parseWebviewMessage });
    this.connectionId = options.connectionId;
    const connectionsListener = this.deps.connections.onDidChange(() => this.connectionsChanged());
    // Undo, retries and generations from the palette or the tree change the history shown here.
    const generationsListener = this.deps.generations.onDidChange(() => {
      if (!this.running) this.scheduleRefresh();
    });
    this.subscriptions.push(
      new vscode.Disposable(() => connectionsListener.dispose()),
      new vscode.Disposable(() => generationsListener.dispose()),
    );
  }

  /** The connection shown, if step 1 is done and it still exists. */
  get connection(): Connection | undefined {
    return this.connectionId ? this.deps.connections.get(this.connectionId) : undefined;
  }

  get running(): boolean {
    return this.run?.running ?? false;
  }

  /** Stops a generation in progress; its text so far stays in the history. */
  cancel(): void {
    this.abort?.abort();
  }

  override dispose(): void {
    super.dispose();
    this.abort?.abort();
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }

  // -------------------------------------------------------------------------------------------------

  protected async act(message: FormAction<WebviewMessage>): Promise<void> {
    switch (message.type) {
      case 'settings':
        await this.saveSettings(message);
        return;
      case 'generate':
        await this.generate(message.prompt, message.engine, message.model.trim(), message.writeMode);
        return;
      case 'cancel':
        this.cancel();
        return;
      case 'retryWrite':
        await this.retryWrite(message.recordId);
        return;
      case 'openInNotion': {
        const url = message.recordId ? this.ownRecord(message.recordId)?.page.url : this.connection?.target.url;
        if (url) await this.deps.ui.openExternal(url);
        return;
      }
      case 'runCommand':
        await this.runCommand(message.command);
        return;
    }
  }

  protected async answer(request: WebviewRequest): Promise<void> {
    const reply = <K extends keyof ReplyResults>(result: ReplyResults[K]) => this.post({ type: 'reply', requestId: request.requestId, ok: true, result });
    try {
      switch (request.type) {
        case 'validate':
          reply<'validate'>(await this.validate(request.connectionType, request.url));
          return;
        case 'create':
          reply<'create'>(await this.create(request.name, request.connectionType, request.url));
          await this.refresh();
          return;
        case 'undo':
          reply<'undo'>(await this.undo(request.recordId));
          await this.refresh();
          return;
        case 'historyContent': {
          const record = this.ownRecord(request.recordId);
          if (!record) throw new Error(vscode.l10n.t('This generation is no longer in the history.'));
          reply<'historyContent'>(record.markdown);
          return;
        }
      }
    } catch (error) {
      this.deps.log.warn(`Connection form: ${request.type} failed: ${errorMessage(error)}`);
      this.post({ type: 'reply', requestId: request.requestId, ok: false, error: errorMessage(error) });
    }
  }

  // ---- step 1 -------------------------------------------------------------------------------------

  /** Checks a URL with Notion; every problem comes back as a result the form shows, never as a failure. */
  private async validate(type: 'page' | 'database', input: string): Promise<ValidationResult> {
    const url = input.trim();
    if (!url) return { ok: false, problem: 'empty', message: type === 'page' ? vscode.l10n.t('Paste the link of a Notion page.') : vscode.l10n.t('Paste the link of a Notion database.') };
    const parsed = parseNotionUrl(url);
    if (!parsed.ok) return { ok: false, problem: 'notNotion', message: parsed.message };
    try {
      const target = await this.resolve(type, url);
      const existing = this.deps.connections.findByTarget(target.id);
      return { ok: true, id: target.id, title: target.title, url: target.url, existingConnection: existing?.name };
    } catch (error) {
      return this.validationProblem(type, error);
    }
  }

  private async resolve(type: 'page' | 'database', url: string): Promise<NotionPageRef> {
    if (type === 'page') return this.deps.generation.resolvePage(url);
    return new NotionPages(await notionClient(this.deps)).resolveDatabase(url);
  }

  private validationProblem(type: 'page' | 'database', error: unknown): ValidationResult {
    if (isMissingKey(error)) {
      return { ok: false, problem: 'noSecret', message: error.message, action: this.setNotionSecretAction() };
    }
    if (isNotionError(error)) {
      switch (error.problem) {
        case 'unauthorized':
          return { ok: false, problem: 'unauthorized', message: error.message, action: this.setNotionSecretAction() };
        case 'notShared': {
          const message = type === 'database'
            ? vscode.l10n.t("Notion can't find this database, or it is not shared with your integration. In Notion, open the database → ••• → Connections → add your integration, then try again.")
            : error.message;
          return { ok: false, problem: 'notShared', message };
        }
        case 'isDatabase':
          return { ok: false, problem: 'isDatabase', message: `${error.message} ${vscode.l10n.t('Or choose Notion Database as the type.')}` };
        case 'notPage':
          return { ok: false, problem: 'notNotion', message: error.message };
        case 'isPage':
          return { ok: false, problem: 'isPage', message: error.message };
        default:
          return { ok: false, problem: 'other', message: error.message };
      }
    }
    return { ok: false, problem: 'other', message: errorMessage(error) };
  }

  /** Step 1's Next: the connection for the target (an existing one is reused), mirrored quietly. */
  private async create(name: string, type: 'page' | 'database', url: string): Promise<ReplyResults['create']> {
    if (this.connection) return { connectionId: this.connection.id };
    const target = await this.resolve(type, url).catch((error: unknown) => {
      const problem = this.validationProblem(type, error);
      throw new Error(problem.ok ? errorMessage(error) : problem.message);
    });
    const connection = type === 'page'
      ? await this.deps.generation.connectionFor(target, name.trim() || undefined)
      : await databaseConnectionFor(this.deps, target, name.trim() || undefined);
    this.connectionId = connection.id;
    this.deps.log.info(`Connection form: "${connection.name}" (${connection.type}) is ready.`);
    this.options.onConnection?.(this.deps.connections.get(connection.id) ?? connection);
    return { connectionId: connection.id };
  }

  // ---- step 2 -------------------------------------------------------------------------------------

  private async saveSettings(change: { engine?: EngineKind; model?: string; writeMode?: WriteMode }): Promise<void> {
    const current = this.connection;
    if (!current) return;
    const engine = change.engine ?? current.engine;
    // A new engine without a model of its own takes the settings' model for it, not the other engine's.
    const model = change.model ?? (change.engine && change.engine !== current.engine ? undefined : current.model);
    const writeMode = change.writeMode ?? current.writeMode;
    if (engine === current.engine && model === current.model && writeMode === current.writeMode) return;
    await this.deps.connections.update(current.id, (c) => withChoices(c, engine, model, writeMode));
  }

  private async generate(prompt: string, engine: EngineKind, model: string, mode: WriteMode): Promise<void> {
    const connection = this.connection;
    if (!connection || this.running) return;
    const runId = this.startRun('generate', prompt, '');
    await this.deps.connections.update(connection.id, (c) => withChoices(c, engine, model, mode));

    const missing = await this.missingKey(engine);
    if (missing) return this.finishRun(runId, { status: 'missingKey', message: missing.message, action: missing.action, canOpen: false, canRetry: false });
    if (!(await withinBudget(this.deps))) {
      return this.finishRun(runId, { status: 'notStarted', message: vscode.l10n.t('Not generated: the prompt would go past your monthly budget.'), canOpen: false, canRetry: false });
    }

    const abort = new AbortController();
    this.abort = abort;
    try {
      const sent = await expandPrompt(this.deps, prompt);
      if (sent === undefined) return await this.finishRun(runId, { status: 'notStarted', message: vscode.l10n.t('Nothing was sent.'), canOpen: false, canRetry: false });
      const options = {
        connection: this.connection ?? connection,
        prompt: sent,
        engine,
        model,
        mode,
        instructions: systemInstructions(readConfig().instructions),
        signal: abort.signal,
        onText: (text: string) => this.streamText(runId, text),
        onProgress: (progress: GenerationProgress) => this.streamProgress(runId, progress, engine, model),
      };
      const result = connection.type === 'database' ? await this.newEntry(options) : await this.deps.generation.run(options);
      if (!result) {
        return this.finishRun(runId, { status: 'notStarted', message: vscode.l10n.t('Nothing was written.'), canOpen: false, canRetry: false });
      }
      const view = this.outcomeView(result);
      await this.finishRun(runId, result.syncError ? { ...view, warning: vscode.l10n.t('The connections database in Notion was not updated: {0}', result.syncError.message) } : view);
    } catch (error) {
      await this.finishRun(runId, this.errorView(error, engine));
    } finally {
      if (this.abort === abort) this.abort = undefined;
    }
  }

  /** A database connection: a new entry, asking for the data source and mapping the first time. */
  private async newEntry(options: RunOptions): Promise<RunResult | undefined> {
    const source = await chooseDataSource(this.deps, options.connection);
    if (!source) return undefined;
    let connection = this.deps.connections.get(options.connection.id) ?? options.connection;
    if (!connection.mappedProperties) connection = (await chooseMapping(this.deps, connection, source)) ?? connection;
    return this.deps.generation.runNewEntry({
      ...options,
      connection,
      mode: 'append',
      preview: connection.previewValues ? (values) => confirmValues(this.deps, values) : undefined,
    });
  }

  private async retryWrite(recordId: string): Promise<void> {
    const record = this.ownRecord(recordId);
    if (!record || this.running) return;
    const runId = this.startRun('retryWrite', record.prompt, record.markdown);
    const abort = new AbortController();
    this.abort = abort;
    const counts = blockCounts(record);
    this.pendingProgress = { phase: 'writing', generatedChars: record.markdown.length, blocks: counts.total, writtenBlocks: counts.written, label: vscode.l10n.t('Writing the rest to "{0}"…', record.page.title) };
    this.scheduleFlush(runId);
    try {
      await this.finishRun(runId, this.outcomeView(await this.deps.generation.retryWrite(record.id, abort.signal)));
    } catch (error) {
      await this.finishRun(runId, this.errorView(error, record.engine));
    } finally {
      if (this.abort === abort) this.abort = undefined;
    }
  }

  /** Undo runs the one Undo flow (its questions, progress and messages), for a generation of this connection. */
  private async undo(recordId: string): Promise<ReplyResults['undo']> {
    const record = this.ownRecord(recordId);
    if (!record) throw new Error(vscode.l10n.t('This generation is no longer in the history.'));
    await vscode.commands.executeCommand(Commands.undoLastGeneration, { recordId: record.id });
    return { undone: !!this.deps.generations.get(record.id)?.undoneAt };
  }

  private async runCommand(command: FormCommand): Promise<void> {
    const args = command === 'visen.fillDatabase' && this.connectionId ? [{ connectionId: this.connectionId }] : [];
    await vscode.commands.executeCommand(command, ...args);
    await this.refresh();
  }

  // ---- runs ---------------------------------------------------------------------------------------

  private startRun(kind: RunView['kind'], prompt: string, text: string): number {
    const runId = ++this.runCounter;
    this.run = { runId, kind, running: true, prompt, text };
    this.pendingText = '';
    this.pendingProgress = undefined;
    if (this.ready) this.post({ type: 'runStarted', run: { ...this.run } });
    return runId;
  }

  private streamText(runId: number, text: string): void {
    if (this.run?.runId !== runId) return;
    this.run.text += text;
    this.pendingText += text;
    this.scheduleFlush(runId);
  }

  private streamProgress(runId: number, progress: GenerationProgress, engine: EngineKind, model: string): void {
    if (this.run?.runId !== runId) return;
    const label = progress.phase === 'waiting'
      ? vscode.l10n.t('Waiting for the other run into "{0}" to finish…', this.connection?.target.title || this.connection?.name || '')
      : progress.phase === 'starting'
        ? vscode.l10n.t('Asking {0} ({1})…', ENGINE_LABELS[engine], model)
        : vscode.l10n.t('{0} of {1} blocks in Notion', progress.writtenBlocks, progress.blocks);
    this.pendingProgress = { ...progress, label };
    this.run.progress = this.pendingProgress;
    this.scheduleFlush(runId);
  }

  private scheduleFlush(runId: number): void {
    this.flushTimer ??= setTimeout(() => this.flush(runId), TEXT_FLUSH_MS);
  }

  private flush(runId: number): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.run?.runId !== runId) return;
    if (this.ready && this.pendingText) this.post({ type: 'text', runId, text: this.pendingText });
    if (this.ready && this.pendingProgress) this.post({ type: 'progress', runId, progress: this.pendingProgress });
    this.pendingText = '';
    this.pendingProgress = undefined;
  }

  private async finishRun(runId: number, result: ResultView): Promise<void> {
    this.flush(runId);
    if (this.run?.runId !== runId) return;
    this.run.running = false;
    this.run.result = result;
    if (this.ready) this.post({ type: 'result', runId, result });
    // The history and the connection's usage changed.
    await this.refresh();
  }

  private outcomeView({ record, error }: GenerationOutcome): ResultView {
    const title = record.page.title;
    const counts = blockCounts(record);
    const base = { recordId: record.id, pageTitle: title, writtenBlocks: counts.written, blocks: counts.total, canUndo: canUndo(record) };
    switch (record.status) {
      case 'written':
        return {
          ...base,
          status: 'written',
          message: vscode.l10n.t('Wrote {0} blocks to "{1}".', counts.written, title),
          warning: record.stoppedAtLimit
            ? vscode.l10n.t('The model stopped at its output limit: the page holds what it wrote. Ask for the rest with a new prompt, e.g. "Continue where you stopped".')
            : undefined,
          canOpen: true,
          canRetry: false,
        };
      case 'cancelled':
        return {
          ...base,
          status: 'cancelled',
          message: vscode.l10n.t('Generation cancelled. {0} blocks had been written to "{1}"; the text generated so far is kept in the history below.', counts.written, title),
          canOpen: record.writtenBlocks > 0,
          canRetry: false,
        };
      case 'writeFailed':
        return {
          ...base,
          status: 'writeFailed',
          message: vscode.l10n.t('The text was generated but Notion did not take all of it ({0} of {1} blocks written). {2} Retry Write writes the rest without generating again.', counts.written, counts.total, error?.message ?? ''),
          canOpen: true,
          canRetry: true,
        };
      default: {
        const view = this.errorView(error ?? new Error(record.error ?? vscode.l10n.t('Generation failed.')), record.engine);
        return { ...view, ...base };
      }
    }
  }

  /** `engine`: the engine the run used, whose key a rejected-key error offers to set. */
  private errorView(error: unknown, engine: EngineKind): ResultView {
    if (isMissingKey(error)) {
      return { status: 'missingKey', message: error.message, action: toAction(error.command, error.action), canOpen: false, canRetry: false };
    }
    if (EngineError.is(error) && error.kind === 'auth') {
      return { status: 'failed', message: error.message, action: needsKey(engine) ? setKeyAction(engine) : undefined, canOpen: false, canRetry: false };
    }
    if (EngineError.is(error) && error.kind === 'unavailable') {
      return { status: 'failed', message: error.message, action: { command: 'visen.openSettings', label: vscode.l10n.t('Choose Engine') }, canOpen: false, canRetry: false };
    }
    if (EngineError.is(error) && error.kind === 'cancelled') {
      return { status: 'cancelled', message: vscode.l10n.t('Generation cancelled.'), canOpen: false, canRetry: false };
    }
    return { status: 'failed', message: errorMessage(error), canOpen: false, canRetry: false };
  }

  private async missingKey(engine: EngineKind): Promise<{ message: string; action: CommandAction } | undefined> {
    if (!(await this.deps.secrets.get('visen.notion.secret'))) {
      return { message: vscode.l10n.t('Visen needs your Notion integration secret first.'), action: this.setNotionSecretAction() };
    }
    if (needsKey(engine) && !(await this.deps.secrets.get(ENGINE_SECRET[engine]))) {
      return { message: vscode.l10n.t('Visen needs your {0} API key to generate with it.', ENGINE_LABELS[engine]), action: setKeyAction(engine) };
    }
    return undefined;
  }

  // ---- state --------------------------------------------------------------------------------------

  private connectionsChanged(): void {
    if (this.connectionId && !this.connection) {
      this.options.onDeleted?.();
      return;
    }
    this.scheduleRefresh();
  }

  /** Everything the form shows. Of the keys, only whether each is set: never a value. */
  protected async state(): Promise<FormState> {
    // Every engine of the registry; one that needs no key counts as having it.
    const [notion, ...keys] = await Promise.all([
      this.deps.secrets.get('visen.notion.secret'),
      ...ENGINE_KINDS.map((kind) => (needsKey(kind) ? this.deps.secrets.get(ENGINE_SECRET[kind]) : 'none needed')),
    ]);
    const config = readConfig();
    const connection = this.connection;
    const engines: EngineView[] = ENGINE_KINDS.map((kind, i) => ({
      kind,
      label: ENGINE_LABELS[kind],
      keySet: !!keys[i],
      defaultModel: modelFor(config, kind),
      suggestedModels: unique([modelFor(config, kind), DEFAULT_MODELS[kind], ...ENGINES[kind].suggestedModels].filter(Boolean)),
      setKey: needsKey(kind) ? setKeyAction(kind) : { command: 'visen.selectModel', label: vscode.l10n.t('Select Model') },
    }));
    return {
      connection: connection && this.connectionView(connection, config.engine, config.writeMode),
      notionSecretSet: !!notion,
      setNotionSecret: this.setNotionSecretAction(),
      engines,
      defaultEngine: config.engine,
      defaultWriteMode: config.writeMode,
      history: connection ? this.history(connection) : [],
      // Text still waiting to be flushed goes out as a `text` message after this state: leave it out here.
      run: this.run && { ...this.run, text: this.run.text.slice(0, this.run.text.length - this.pendingText.length) },
    };
  }

  private connectionView(connection: Connection, defaultEngine: EngineKind, defaultMode: WriteMode): ConnectionView {
    const engine = connection.engine ?? defaultEngine;
    return {
      id: connection.id,
      name: connection.name,
      type: connection.type,
      typeLabel: connection.type === 'database' ? vscode.l10n.t('Notion Database') : vscode.l10n.t('Notion Page'),
      target: { title: connection.target.title || connection.name, url: connection.target.url },
      engine,
      model: connection.model ?? modelFor(readConfig(), engine),
      writeMode: connection.writeMode ?? defaultMode,
      lastPrompt: connection.lastPrompt,
      usage: describeUse(connection),
    };
  }

  private history(connection: Connection): HistoryItem[] {
    const undoable = this.undoable()?.id;
    return this.deps.generations.forConnection(connection.id).map((record) => ({
      id: record.id,
      prompt: record.prompt,
      createdAt: record.createdAt,
      when: timeAgo(record.createdAt),
      engine: `${ENGINE_LABELS[record.engine] ?? record.engine} · ${record.model}`,
      blocks: blockCounts(record).total,
      writtenBlocks: blockCounts(record).written,
      status: record.status,
      statusLabel: this.statusLabel(record),
      mode: record.mode,
      undone: !!record.undoneAt,
      canUndo: record.id === undoable,
      canRetry: record.status === 'writeFailed' || record.status === 'interrupted' || (record.status === 'cancelled' && record.writtenBlocks < record.blocks && record.markdown.length > 0),
    }));
  }

  private statusLabel(record: GenerationRecord): string {
    const blocks = (n: number) => (n === 1 ? vscode.l10n.t('1 block') : vscode.l10n.t('{0} blocks', n));
    const counts = blockCounts(record);
    let label: string;
    switch (record.status) {
      case 'written':
        label = vscode.l10n.t('Written · {0}', blocks(counts.written));
        break;
      case 'writeFailed':
        label = vscode.l10n.t('Write failed · {0} of {1} blocks written', counts.written, counts.total);
        break;
      case 'cancelled':
        label = vscode.l10n.t('Cancelled · {0} of {1} blocks written', counts.written, counts.total);
        break;
      case 'failed':
        label = record.error ? vscode.l10n.t('Failed: {0}', record.error) : vscode.l10n.t('Failed');
        break;
      case 'interrupted':
        label = vscode.l10n.t('Interrupted · {0} of {1} blocks written', counts.written, counts.total);
        break;
      default:
        label = this.running ? vscode.l10n.t('Generating…') : vscode.l10n.t('Interrupted');
    }
    return record.undoneAt ? vscode.l10n.t('{0} · undone', label) : label;
  }

  /** The generation of this connection that Undo applies to. */
  private undoable(): GenerationRecord | undefined {
    return this.connectionId ? undoTarget(this.deps.generations.forConnection(this.connectionId)) : undefined;
  }

  /** A record of this form's connection: the webview can name no other. */
  private ownRecord(recordId: string): GenerationRecord | undefined {
    const record = this.deps.generations.get(recordId);
    return record && this.connectionId && record.connectionId === this.connectionId ? record : undefined;
  }

  private setNotionSecretAction(): CommandAction {
    return { command: 'visen.setNotionSecret', label: vscode.l10n.t('Set Notion Integration Secret') };
  }
}

function withChoices(connection: Connection, engine: EngineKind | undefined, model: string | undefined, writeMode: WriteMode | undefined): Connection {
  const next: Connection = { ...connection };
  if (engine) next.engine = engine;
  if (model) next.model = model;
  else delete next.model;
  if (writeMode) next.writeMode = writeMode;
  return next;
}

/**
 * Errors are recognised by shape as well as by class: extension-host tests bundle this controller apart
 * from the extension, so the services it calls throw the extension bundle's copies of these classes
 * (the engines' EngineError.is exists for the same reason).
 */
function isNotionError(error: unknown): error is NotionError {
  return error instanceof NotionError || (error instanceof Error && error.name === 'NotionError' && typeof (error as Partial<NotionError>).problem === 'string');
}

function isMissingKey(error: unknown): error is MissingKeyError {
  if (error instanceof MissingKeyError) return true;
  const candidate = error as Partial<MissingKeyError> | undefined;
  return error instanceof Error && typeof candidate?.command === 'string' && typeof candidate.action === 'string';
}

function toAction(command: string, label: string): CommandAction | undefined {
  // A base URL the key may not go to: the settings form holds the endpoints.
  if (command === 'workbench.action.openSettings') return { command: 'visen.openSettings', label: vscode.l10n.t('Open Settings') };
  return (FORM_COMMANDS as readonly string[]).includes(command) ? { command: command as FormCommand, label } : undefined;
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}
