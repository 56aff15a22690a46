import * as vscode from 'vscode';
import type { Connection } from '../services/connections/connection';
import type { EngineKind } from '../services/engines/engine';
import { blockCounts } from '../workflows/history';
import type { WorkflowDeps } from '../workflows/deps';
import { generate, retryWrite } from '../workflows/generate';
import { undoGeneration } from '../workflows/undo';
import {
  FormCommand,
  FormState,
  HostMessage,
  ReplyResults,
  ResultView,
  WebviewMessage,
  WebviewRequest,
  WriteMode,
  parseWebviewMessage,
} from './connectionProtocol';
import { errorResult, notStartedResult, outcomeResult } from './connectionResults';
import { FormRun } from './connectionRun';
import { connectionFormState, ownRecord } from './connectionState';
import { createConnection, validateTarget } from './connectionStep1';
import { deleteTemplate, renameTemplate, saveTemplate } from '../workflows/promptTemplates';
import { expandPrompt } from '../workflows/promptVariables';
import { errorMessage, FormAction, FormController } from './formController';

export interface ConnectionFormOptions {
  /** The connection the form shows; absent = step 1 of a new connection. */
  readonly connectionId?: string;
  /** Step 1 created (or found) the connection the form now shows. */
  readonly onConnection?: (connection: Connection) => void;
  /** The connection the form showed was deleted. */
  readonly onDeleted?: () => void;
}

/**
 * Everything the connection form does, without the panel: it takes the webview's messages through
 * `handle` (validating each) and answers through `post`. Extension-host tests drive it directly.
 * Step 1 is connectionStep1.ts, the run as the webview sees it connectionRun.ts, what it shows
 * connectionState.ts and connectionResults.ts; the generation itself is the workflow every surface runs.
 */
export class ConnectionFormController extends FormController<WebviewMessage, HostMessage, FormState> {
  private connectionId: string | undefined;
  private readonly run: FormRun;

  /** Refreshes when a connection, the history, a key or a `visen.*` setting changes. */
  constructor(
    deps: WorkflowDeps,
    post: (message: HostMessage) => unknown,
    private readonly options: ConnectionFormOptions = {},
  ) {
    super(deps, post, { name: 'Connection form', parse: parseWebviewMessage });
    this.connectionId = options.connectionId;
    this.run = new FormRun(post, () => this.ready);
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
    return this.run.running;
  }

  /** Stops a generation in progress; its text so far stays in the history. */
  cancel(): void {
    this.run.cancel();
  }

  override dispose(): void {
    super.dispose();
    this.run.dispose();
  }

  // -------------------------------------------------------------------------------------------------

  protected async act(message: FormAction<WebviewMessage>): Promise<void> {
    switch (message.type) {
      case 'settings':
        await this.saveSettings(message);
        return;
      case 'generate':
        await this.generate(message.prompt, message.engine, message.model.trim(), message.writeMode, message.heading);
        return;
      case 'cancel':
        this.cancel();
        return;
      case 'retryWrite':
        await this.retryWrite(message.recordId);
        return;
      case 'openInNotion': {
        const url = message.recordId ? ownRecord(this.deps, this.connectionId, message.recordId)?.page.url : this.connection?.target.url;
        if (url) await this.deps.ui.openExternal(url);
        return;
      }
      case 'runCommand':
        await this.runCommand(message.command);
        return;
    }
  }

  protected async answer(request: WebviewRequest): Promise<void> {
    const reply = <K extends keyof ReplyResults>(result: ReplyResults[K]) =>
      this.post({ type: 'reply', requestId: request.requestId, ok: true, result });
    try {
      switch (request.type) {
        case 'validate':
          reply<'validate'>(await validateTarget(this.deps, request.connectionType, request.url));
          return;
        case 'create':
          reply<'create'>(await this.create(request.name, request.connectionType, request.url));
          await this.refresh();
          return;
        case 'undo':
          reply<'undo'>(await this.undo(request.recordId));
          await this.refresh();
          return;
        case 'saveTemplate':
          reply<'saveTemplate'>({
            replaced: (await saveTemplate(this.deps, this.shownId(), request.templateName, request.prompt)).replaced,
          });
          return;
        case 'renameTemplate':
          reply<'renameTemplate'>({ name: (await renameTemplate(this.deps, this.shownId(), request.templateName, request.newName)).name });
          return;
        case 'deleteTemplate':
          reply<'deleteTemplate'>({ deleted: await deleteTemplate(this.deps, this.shownId(), request.templateName) });
          return;
        case 'historyContent': {
          const record = ownRecord(this.deps, this.connectionId, request.recordId);
          if (!record) throw new Error(vscode.l10n.t('This generation is no longer in the history.'));
          reply<'historyContent'>(record.markdown);
          return;
        }
        case 'headings': {
          const connection = this.connection;
          reply<'headings'>(connection?.type === 'page' ? await this.deps.generation.service.headings(connection.target.id) : []);
          return;
        }
      }
    } catch (error) {
      this.deps.log.warn(`Connection form: ${request.type} failed: ${errorMessage(error)}`);
      const field =
        request.type === 'saveTemplate' || request.type === 'renameTemplate' || request.type === 'deleteTemplate'
          ? { field: 'templateName' }
          : {};
      this.post({ type: 'reply', requestId: request.requestId, ok: false, error: errorMessage(error), ...field });
    }
  }

  /** The id of the connection shown; a request about it before step 1 is done is refused. */
  private shownId(): string {
    const connection = this.connection;
    if (!connection) throw new Error(vscode.l10n.t('This connection no longer exists: it was deleted, here or in another window.'));
    return connection.id;
  }

  /** Step 1's Next: the form now shows the connection for the target. */
  private async create(name: string, type: 'page' | 'database', url: string): Promise<ReplyResults['create']> {
    if (this.connection) return { connectionId: this.connection.id };
    const connection = await createConnection(this.deps, name, type, url);
    this.connectionId = connection.id;
    this.options.onConnection?.(connection);
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

  /** The one generation flow (workflows/generate.ts), streamed to the webview. */
  private async generate(prompt: string, engine: EngineKind, model: string, mode: WriteMode, heading?: string): Promise<void> {
    const connection = this.connection;
    if (!connection || this.running) return;
    const { runId, signal } = this.run.start('generate', prompt, '');
    await this.deps.connections.update(connection.id, (c) => withChoices(c, engine, model, mode));
    try {
      const generated = await generate(this.deps, {
        connection: this.connection ?? connection,
        // Editor variables are read as the run starts (after a database's questions), once.
        prompt: () => expandPrompt(this.deps, prompt),
        engine,
        model,
        mode,
        heading,
        signal,
        onText: (text) => this.run.text(runId, text),
        onProgress: (progress, label) => this.run.progress(runId, { ...progress, label }),
      });
      await this.finish(
        runId,
        generated.started ? outcomeResult(generated.result, this.deps.generations.list()) : notStartedResult(generated.reason),
      );
    } catch (error) {
      await this.finish(runId, errorResult(error, engine));
    }
  }

  private async retryWrite(recordId: string): Promise<void> {
    const record = ownRecord(this.deps, this.connectionId, recordId);
    if (!record || this.running) return;
    const { runId, signal } = this.run.start('retryWrite', record.prompt, record.markdown);
    const counts = blockCounts(record);
    this.run.progress(runId, {
      phase: 'writing',
      generatedChars: record.markdown.length,
      blocks: counts.total,
      writtenBlocks: counts.written,
      label: vscode.l10n.t('Writing the rest to "{0}"…', record.page.title),
    });
    try {
      await this.finish(runId, outcomeResult(await retryWrite(this.deps, record.id, { signal }), this.deps.generations.list()));
    } catch (error) {
      await this.finish(runId, errorResult(error, record.engine));
    }
  }

  private async finish(runId: number, result: ResultView): Promise<void> {
    // The history and the connection's usage changed.
    if (this.run.finish(runId, result)) await this.refresh();
  }

  /** Undo runs the one Undo flow (its questions, progress and messages), for a generation of this connection. */
  private async undo(recordId: string): Promise<ReplyResults['undo']> {
    const record = ownRecord(this.deps, this.connectionId, recordId);
    if (!record) throw new Error(vscode.l10n.t('This generation is no longer in the history.'));
    await undoGeneration(this.deps, record.id);
    return { undone: !!this.deps.generations.get(record.id)?.undoneAt };
  }

  private async runCommand(command: FormCommand): Promise<void> {
    const args = command === 'visen.fillDatabase' && this.connectionId ? [{ connectionId: this.connectionId }] : [];
    await vscode.commands.executeCommand(command, ...args);
    await this.refresh();
  }

  // ---- state --------------------------------------------------------------------------------------

  private connectionsChanged(): void {
    if (this.connectionId && !this.connection) {
      this.options.onDeleted?.();
      return;
    }
    this.scheduleRefresh();
  }

  protected state(): Promise<FormState> {
    return connectionFormState(this.deps, this.connection, this.run.view(), this.running);
  }
}

function withChoices(
  connection: Connection,
  engine: EngineKind | undefined,
  model: string | undefined,
  writeMode: WriteMode | undefined,
): Connection {
  const next: Connection = { ...connection };
  if (engine) next.engine = engine;
  if (model) next.model = model;
  else delete next.model;
  if (writeMode) next.writeMode = writeMode;
  return next;
}
