import * as vscode from 'vscode';
import { modelFor, readConfig } from '../platform/config';
import type { Client } from '@notionhq/client';
import type { Connection } from '../services/connections/connection';
import type { Engine, EngineKind } from '../services/engines/engine';
import { ENGINE_LABELS } from '../services/engines/registry';
import type { WriteMode, WritePlan } from '../services/generation/generationRecord';
import type { GenerationOutcome, GenerationProgress } from '../services/generation/generator';
import type { RunResult } from '../services/generation/generationService';
import { systemInstructions } from '../services/generation/instructions';
import type { NotionPageRef } from '../services/notion/notionPages';
import { withinBudget } from './budget';
import { confirmContext } from './promptVariables';
import { chooseDataSource, chooseMapping, confirmValues } from './databaseEntry';
import type { WorkflowDeps } from './deps';
import { engineFor, type KeyDeps, notionClient } from './keys';
import { modelOrAsk } from './models';
import type { NotStartedReason } from './outcome';
import { choosePlace, choosePlaceLost } from './writePlace';

// One generation, for every surface (the Command Palette, the connection form, the chat): the keys, a database's
// data source and properties, the prompt, the budget, then the run into the page or a new entry.

/** Runs the generation itself, after every question: the palette shows a notification whose Cancel gives the signal. */
export type RunWrapper = <R>(title: string, run: (signal: AbortSignal, report: (label: string) => void) => Promise<R>) => PromiseLike<R>;

export interface GenerateRequest {
  /** The connection, as the surface resolved it. */
  readonly connection: Connection;
  /** The prompt, or how to ask for it once the connection's own questions are answered (undefined: dismissed). */
  readonly prompt: string | ((connection: Connection) => Promise<string | undefined>);
  /** Absent: the connection's choice, then the settings'. */
  readonly engine?: EngineKind;
  /** The engine itself, when the surface has its own (the chat's model): no key is read for it. */
  readonly source?: Engine;
  /** The keys the surface read before its own questions: not read again. */
  readonly keys?: RunKeys;
  readonly model?: string;
  readonly mode?: WriteMode;
  /** With mode `afterHeading`: the heading (its block id) the surface's form chose; absent: asked as the run starts. */
  readonly heading?: string;
  /** The connection's page as the surface checked it with Notion just now: not asked for again. */
  readonly page?: NotionPageRef;
  /** The page to write into when it is not the connection's own (an entry a database connection made): nothing about the database is asked. */
  readonly into?: { readonly id: string; readonly title: string };
  /** Where the text goes, settled by the surface (a chat follow-up: in place of exactly its last answer's blocks): nothing is asked. */
  readonly plan?: WritePlan;
  /** A database's properties to fill: asked every time (`always`: the palette walks through its questions), or until chosen. */
  readonly askMapping?: 'always' | 'untilChosen';
  /** Cancels the run (unless `running` gives the signal). */
  readonly signal?: AbortSignal;
  readonly running?: RunWrapper;
  readonly onText?: (text: string) => void;
  /** Each step of the run, with what to show for it (`progressLabel`). */
  readonly onProgress?: (progress: GenerationProgress, label: string) => void;
  /** Progress labels count the characters generated (where the text itself is not shown). */
  readonly countCharacters?: boolean;
}

export type GenerateResult =
  | { readonly started: true; readonly result: RunResult; readonly engine: EngineKind; readonly model: string }
  | { readonly started: false; readonly reason: NotStartedReason };

/**
 * What one run uses, resolved once before anything is asked and handed down to the writer: the Notion client
 * and the engine (each key read once), the model, and, once chosen, where the text goes.
 */
interface RunContext {
  readonly client: Client;
  readonly engine: Engine;
  readonly model: string;
  readonly plan?: WritePlan;
}

/** A run's Notion client and engine, built from the keys: what a surface reads first hands on to the run. */
export interface RunKeys {
  readonly client: Client;
  readonly engine: Engine;
  readonly kind: EngineKind;
}

/**
 * The Notion client and the engine of `kind`, each key read once: what `earlier` holds is taken as it is (the
 * engine when it is of the same kind). Throws MissingKeyError, with its fix, for the first key missing.
 */
export async function readRunKeys(deps: KeyDeps, kind: EngineKind, source?: Engine, earlier?: RunKeys): Promise<RunKeys> {
  const client = earlier?.client ?? (await notionClient(deps));
  const engine = source ?? (earlier?.kind === kind ? earlier.engine : await engineFor(deps, kind));
  return { client, engine, kind };
}

/** The engine and model a run for `connection` (none yet: the settings') uses: the request's, the connection's, then the settings'. */
export function engineAndModel(
  connection: Connection | undefined,
  engine?: EngineKind,
  model?: string,
): { engine: EngineKind; model: string } {
  const config = readConfig();
  const kind = engine ?? connection?.engine ?? config.engine;
  // The connection's model belongs to its engine: another engine chosen for this run takes the settings' model for it.
  const own = engine === undefined || engine === connection?.engine ? connection?.model : undefined;
  return { engine: kind, model: model || own || modelFor(config, kind) };
}

/**
 * The connection as stored, and the name its run goes by; for a database connection, with its data source and
 * its mapped properties chosen (asked when not yet, or always when the request says so). Undefined when dismissed.
 */
async function chooseRunTarget(
  deps: WorkflowDeps,
  request: GenerateRequest,
): Promise<{ connection: Connection; title: string; intoPage: boolean } | undefined> {
  let connection = deps.connections.get(request.connection.id) ?? request.connection;
  // A page: the connection's own, or one named for the run (a database entry an earlier answer wrote to).
  if (connection.type !== 'database' || request.into !== undefined) {
    return { connection, title: request.into?.title || connection.target.title || connection.name, intoPage: true };
  }
  const source = await chooseDataSource(deps, connection);
  if (!source) return undefined;
  connection = deps.connections.get(connection.id) ?? connection;
  if (request.askMapping === 'always' || !connection.mappedProperties) {
    const mapped = await chooseMapping(deps, connection, source);
    if (!mapped) return undefined;
    connection = mapped;
  }
  return { connection, title: source.name, intoPage: false };
}

/**
 * One generation for a connection. Errors are thrown (a missing key as MissingKeyError): `describeError`
 * says them. A question dismissed, or the budget kept, is a result that did not start.
 */
export async function generate(deps: WorkflowDeps, request: GenerateRequest): Promise<GenerateResult> {
  const config = readConfig();
  const chosen = engineAndModel(request.connection, request.engine, request.model);
  const engine = chosen.engine;
  const keys = await readRunKeys(deps, engine, request.source, request.keys);
  const model = await modelOrAsk(deps, engine, chosen.model);
  if (model === undefined) return { started: false, reason: 'dismissed' };
  const context: RunContext = { client: keys.client, engine: keys.engine, model };

  const target = await chooseRunTarget(deps, request);
  if (!target) return { started: false, reason: 'dismissed' };
  const { connection, title, intoPage } = target;
  // Where the text goes is settled before the prompt is typed, and is the same question on every surface.
  const place =
    request.plan ??
    (intoPage
      ? await choosePlace(
          deps,
          { id: request.into?.id ?? request.page?.id ?? connection.target.id, title },
          request.mode ?? connection.writeMode ?? config.writeMode,
          request.heading,
        )
      : { mode: 'append' as const });
  if (!place) return { started: false, reason: 'dismissed' };
  const prompt = typeof request.prompt === 'string' ? request.prompt.trim() : (await request.prompt(connection))?.trim();
  if (!prompt) return { started: false, reason: 'dismissed' };
  if (!(await withinBudget(deps))) return { started: false, reason: 'budget' };

  const run: RunContext = { ...context, plan: place };
  const wrap: RunWrapper = request.running ?? ((_title, go) => go(request.signal ?? new AbortController().signal, () => undefined));
  const runTitle = !intoPage ? vscode.l10n.t('Visen: new entry in "{0}"', title) : vscode.l10n.t('Visen: writing to "{0}"', title);
  const result = await wrap(runTitle, (signal, report) => {
    const options = {
      connection,
      prompt,
      engine,
      model,
      plan: run.plan,
      context: run,
      instructions: systemInstructions(config.instructions),
      signal,
      onText: request.onText,
      // {{page}} brings the page's content: past the size every context is asked about, it is asked about too.
      confirmPageContext: (chars: number, pageTitle: string) => confirmContext(deps.ui, chars, pageTitle),
      onProgress: (progress: GenerationProgress) => {
        const label = progressLabel(progress, { target: title, engine, model, countCharacters: request.countCharacters });
        // A new entry's values came from the engine already: its body's "Asking…" would only flicker in a notification.
        if (intoPage || progress.phase !== 'starting') report(label);
        request.onProgress?.(progress, label);
      },
    };
    if (intoPage) return deps.generation.service.run({ ...options, page: request.page, pageId: request.into?.id });
    return deps.generation.service.runNewEntry({
      ...options,
      mode: 'append',
      preview: connection.previewValues ? (values) => confirmValues(deps, values) : undefined,
    });
  });
  return result ? { started: true, result, engine, model } : { started: false, reason: 'declined' };
}

/** Writes what Notion did not take of a generation, without generating again. */
export async function retryWrite(
  deps: WorkflowDeps,
  recordId: string,
  request: { readonly signal?: AbortSignal; readonly running?: RunWrapper } = {},
): Promise<GenerationOutcome> {
  const record = deps.generations.get(recordId);
  if (!record) throw new Error(vscode.l10n.t('This generation is no longer in the history.'));
  const wrap: RunWrapper = request.running ?? ((_title, run) => run(request.signal ?? new AbortController().signal, () => undefined));
  return wrap(vscode.l10n.t('Visen: writing to "{0}"', record.page.title), (signal) =>
    deps.generation.service.retryWrite(record.id, signal, () => choosePlaceLost(deps, record.page)),
  );
}

/** What each step of a run is called, the same on every surface. */
function progressLabel(
  progress: GenerationProgress,
  run: { target: string; engine: EngineKind; model: string; countCharacters?: boolean },
): string {
  if (progress.phase === 'waiting') return vscode.l10n.t('Waiting for the other run into "{0}" to finish…', run.target);
  if (progress.phase === 'starting') return vscode.l10n.t('Asking {0} ({1})…', ENGINE_LABELS[run.engine], run.model);
  return run.countCharacters
    ? vscode.l10n.t(
        '{0} characters generated, {1} of {2} blocks in Notion',
        progress.generatedChars.toLocaleString(),
        progress.writtenBlocks,
        progress.blocks,
      )
    : vscode.l10n.t('{0} of {1} blocks in Notion', progress.writtenBlocks, progress.blocks);
}
