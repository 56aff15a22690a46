import * as vscode from 'vscode';
import { Commands } from '../constants';
import { modelFor, readConfig } from '../platform/config';
import type { Connection } from '../services/connections/connection';
import { ENGINE_LABELS, setKeyAction } from '../services/engines/registry';
import type { GenerationRecord } from '../services/generation/generationRecord';
import { systemInstructions } from '../services/generation/instructions';
import { promptProblem } from '../services/generation/prompt';
import type { GenerationOutcome } from '../services/generation/generator';
import { NotionError } from '../services/notion/notionErrors';
import { withinBudget } from '../workflows/budget';
import { chooseDataSource, chooseMapping, confirmValues, connectionForTarget, type NotionTarget, resolveTarget } from '../workflows/databaseEntry';
import { CommandDeps, engineFor, guarded, notionClient } from './deps';
import { connectionFromArg, pickConnection } from './pickers';
import type { UndoArgs } from './undo';
import { describeOutcome, type OutcomeAction } from '../workflows/outcome';
import { expandPrompt, PROMPT_VARIABLE_HINT } from '../workflows/promptVariables';

/** Arguments the generate command accepts from keybindings, other extensions, the tree and tests. */
export interface GenerateArgs {
  /** A Notion page URL or id; asked for when absent. */
  readonly page?: string;
  readonly connectionId?: string;
  readonly prompt?: string;
}

export function registerGenerateCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.generateToPage, guarded(deps, (args?: GenerateArgs) => generateToPage(deps, args))),
    vscode.commands.registerCommand(Commands.retryWrite, guarded(deps, (recordId?: string) => retryWrite(deps, recordId))),
  );
}

async function generateToPage(deps: CommandDeps, args: GenerateArgs = {}): Promise<GenerationRecord | undefined> {
  const config = readConfig();
  // Both keys are checked first, so nobody types a prompt only to learn a key is missing.
  await notionClient(deps);
  const given = connectionFromArg(deps, args);
  await engineFor(deps, given?.engine ?? config.engine);

  const connection = given ?? (await chooseConnection(deps, args.page));
  if (!connection) return undefined;
  if (connection.type === 'database') return generateNewEntry(deps, connection, args.prompt);

  const prompt = args.prompt?.trim() || (await askPrompt(deps, connection));
  if (!prompt) return undefined;
  if (!(await withinBudget(deps))) return undefined;

  const engine = connection.engine ?? config.engine;
  const model = connection.model ?? modelFor(config, engine);
  const mode = config.writeMode;
  const result = await deps.ui.progress(vscode.l10n.t('Visen: writing to "{0}"', connection.target.title || connection.name), (progress, signal) =>
    deps.generation.run({
      connection,
      prompt,
      engine,
      model,
      mode,
      instructions: systemInstructions(config.instructions),
      signal,
      onProgress: (p) => {
        if (p.phase === 'waiting') progress.report(vscode.l10n.t('Waiting for the other run into "{0}" to finish…', connection.target.title || connection.name));
        else if (p.phase === 'starting') progress.report(vscode.l10n.t('Asking {0} ({1})…', ENGINE_LABELS[engine], model));
        else progress.report(vscode.l10n.t('{0} characters generated, {1} of {2} blocks in Notion', p.generatedChars.toLocaleString(), p.writtenBlocks, p.blocks));
      },
    }),
  );
  if (result.syncError) {
    void deps.ui.warn(vscode.l10n.t('The connections database in Notion was not updated: {0}', result.syncError.message));
  }
  await reportOutcome(deps, result);
  return result.record;
}

/** A database connection: a new entry with a title, mapped properties and a streamed body. */
async function generateNewEntry(deps: CommandDeps, chosen: Connection, givenPrompt?: string): Promise<GenerationRecord | undefined> {
  const config = readConfig();
  const source = await chooseDataSource(deps, chosen);
  if (!source) return undefined;
  const connection = await chooseMapping(deps, deps.connections.get(chosen.id) ?? chosen, source);
  if (!connection) return undefined;
  const prompt = givenPrompt?.trim() || (await askPrompt(deps, connection));
  if (!prompt) return undefined;
  if (!(await withinBudget(deps))) return undefined;
  const engine = connection.engine ?? config.engine;
  const model = connection.model ?? modelFor(config, engine);
  const result = await deps.ui.progress(vscode.l10n.t('Visen: new entry in "{0}"', source.name), (progress, signal) =>
    deps.generation.runNewEntry({
      connection,
      prompt,
      engine,
      model,
      mode: 'append',
      instructions: systemInstructions(config.instructions),
      signal,
      preview: connection.previewValues ? (values) => confirmValues(deps, values) : undefined,
      onProgress: (p) => {
        if (p.phase === 'waiting') progress.report(vscode.l10n.t('Waiting for the other run into "{0}" to finish…', source.name));
        else if (p.phase !== 'starting') progress.report(vscode.l10n.t('{0} characters generated, {1} of {2} blocks in Notion', p.generatedChars.toLocaleString(), p.writtenBlocks, p.blocks));
      },
    }),
  );
  if (!result) return undefined;
  if (result.syncError) void deps.ui.warn(vscode.l10n.t('The connections database in Notion was not updated: {0}', result.syncError.message));
  await reportOutcome(deps, result);
  return result.record;
}

/**
 * The connections first, then a link (typed into the picker, or pasted into the box that follows), which
 * becomes a connection: a page's, or a database's, whose Generate adds a new entry.
 */
async function chooseConnection(deps: CommandDeps, givenPage?: string): Promise<Connection | undefined> {
  if (givenPage) {
    const target = await deps.ui.progress(vscode.l10n.t('Visen: checking the Notion page…'), () => resolveTarget(deps, givenPage));
    return connectionForTarget(deps, target);
  }
  const choice = await pickConnection(deps, {
    title: vscode.l10n.t('Visen: Generate to Notion Page'),
    placeHolder: vscode.l10n.t('Choose a connection, or paste the link of a Notion page'),
    offerPaste: true,
  });
  if (!choice) return undefined;
  let problem: string | undefined;
  if (choice.kind === 'typed') {
    try {
      const target = await deps.ui.progress(vscode.l10n.t('Visen: checking the Notion page…'), () => resolveTarget(deps, choice.value));
      return await connectionForTarget(deps, target);
    } catch (error) {
      // The link box below opens with it and says what is wrong, so it can be corrected in place.
      problem = error instanceof Error ? error.message : String(error);
    }
  }
  if (choice.kind === 'connection') {
    if (choice.connection.type === 'database') return choice.connection;
    try {
      // The page may have been unshared or trashed since: check again before generating.
      await deps.ui.progress(vscode.l10n.t('Visen: checking "{0}"…', choice.connection.name), () => deps.generation.resolvePage(choice.connection.target.id));
    } catch (error) {
      if (error instanceof NotionError && error.problem === 'notShared') {
        throw new NotionError('notShared', vscode.l10n.t('"{0}" is no longer shared with your integration, or was deleted. {1}', choice.connection.name, 'In Notion, open the page → ••• → Connections → add your integration.'));
      }
      throw error;
    }
    return choice.connection;
  }
  const target = await deps.ui.inputChecked<NotionTarget>({
    title: vscode.l10n.t('Visen: Generate to Notion Page'),
    prompt: vscode.l10n.t('Paste the link of a Notion page shared with your integration (Share → Copy link), or its id.'),
    placeholder: 'https://www.notion.so/…',
    value: choice.kind === 'typed' ? choice.value : undefined,
    problem,
    checkingMessage: vscode.l10n.t('Checking the page with Notion…'),
    check: async (value) => {
      try {
        return { ok: true, value: await resolveTarget(deps, value) };
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    },
  });
  return target ? connectionForTarget(deps, target) : undefined;
}

async function askPrompt(deps: CommandDeps, connection: Connection): Promise<string | undefined> {
  const prompt = await deps.ui.input({
    title: vscode.l10n.t('Visen: what should be written to "{0}"?', connection.target.title || connection.name),
    prompt: vscode.l10n.t('Describe the content; Visen writes it as formatted Notion blocks. Variables: {0}', PROMPT_VARIABLE_HINT),
    placeHolder: connection.lastPrompt ?? vscode.l10n.t('e.g. A one-page project brief for a weekend hackathon'),
    validateInput: promptProblem,
  });
  return prompt?.trim() ? expandPrompt(deps, prompt.trim()) : undefined;
}

/** Shows how a generation ended, in the words and with the buttons every surface uses (describeOutcome). */
async function reportOutcome(deps: CommandDeps, outcome: GenerationOutcome): Promise<void> {
  const seen = describeOutcome(outcome);
  if (seen.level === 'error') deps.log.error(seen.message);
  const show = seen.level === 'info' ? deps.ui.info : seen.level === 'warn' ? deps.ui.warn : deps.ui.error;
  const label = await show.call(deps.ui, seen.message, ...seen.actions.map((a) => a.label));
  const action = seen.actions.find((a) => a.label === label);
  if (action) await runOutcomeAction(deps, action);
}

/** What each button of an outcome does. */
export async function runOutcomeAction(deps: CommandDeps, action: OutcomeAction): Promise<void> {
  switch (action.kind) {
    case 'open':
      await deps.ui.openExternal(action.url);
      return;
    case 'undo':
      await vscode.commands.executeCommand(Commands.undoLastGeneration, { recordId: action.recordId } satisfies UndoArgs);
      return;
    case 'retryWrite':
      await vscode.commands.executeCommand(Commands.retryWrite, action.recordId);
      return;
    case 'generate':
      await vscode.commands.executeCommand(Commands.generateToPage, { connectionId: action.connectionId, page: action.connectionId ? undefined : action.pageId, prompt: action.prompt } satisfies GenerateArgs);
      return;
    case 'setKey':
      await vscode.commands.executeCommand(setKeyAction(action.engine).command);
      return;
    case 'command':
      await vscode.commands.executeCommand(action.command);
      return;
    case 'setNotionSecret':
      await vscode.commands.executeCommand(Commands.setNotionSecret);
      return;
    case 'showLog':
      deps.log.show();
      return;
  }
}

async function retryWrite(deps: CommandDeps, recordId?: string): Promise<void> {
  const record = recordId ? deps.generations.get(recordId) : deps.generations.latest((r) => r.status === 'writeFailed' || r.status === 'interrupted');
  if (!record) {
    void deps.ui.info(vscode.l10n.t('There is no generation waiting to be written.'));
    return;
  }
  const outcome = await deps.ui.progress(vscode.l10n.t('Visen: writing to "{0}"', record.page.title), (_progress, signal) => deps.generation.retryWrite(record.id, signal));
  await reportOutcome(deps, outcome);
}
