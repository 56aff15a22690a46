import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Connection } from '../services/connections/connection';
import { setKeyAction } from '../services/engines/registry';
import type { GenerationRecord } from '../services/generation/generationRecord';
import { promptProblem } from '../services/generation/prompt';
import type { GenerationOutcome } from '../services/generation/generator';
import { NotionError } from '../services/notion/notionErrors';
import type { NotionPageRef } from '../services/notion/notionPages';
import { connectionForTarget, type NotionTarget, resolveTarget } from '../workflows/databaseEntry';
import { checkKeys, engineAndModel, generate, retryWrite as retryWriteFlow } from '../workflows/generate';
import { CommandDeps, guarded } from './deps';
import { connectionFromArg, pickConnection } from './pickers';
import type { UndoArgs } from './undo';
import { describeError, describeOutcome, type OutcomeAction, type OutcomeMessage } from '../workflows/outcome';
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
  const given = connectionFromArg(deps, args);
  let engine = engineAndModel(given).engine;
  try {
    // Both keys are checked first, so nobody types a prompt only to learn a key is missing.
    await checkKeys(deps, engine);
    const chosen = given ? { connection: given } : await chooseConnection(deps, args.page);
    if (!chosen) return undefined;
    engine = engineAndModel(chosen.connection).engine;
    const generated = await generate(deps, {
      connection: chosen.connection,
      page: chosen.page,
      prompt: args.prompt?.trim() || ((connection) => askPrompt(deps, connection)),
      askMapping: 'always',
      countCharacters: true,
      running: (title, run) => deps.ui.progress(title, (progress, signal) => run(signal, (label) => progress.report(label))),
    });
    if (!generated.started) return undefined;
    await reportOutcome(deps, generated.result);
    return generated.result.record;
  } catch (error) {
    // Thrown before or instead of a record (a missing key, a page Notion can't see): the same words as the form's.
    await report(deps, describeError(error, engine));
    return undefined;
  }
}

/**
 * The connections first, then a link (typed into the picker, or pasted into the box that follows), which
 * becomes a connection: a page's, or a database's, whose Generate adds a new entry.
 */
async function chooseConnection(deps: CommandDeps, givenPage?: string): Promise<Chosen | undefined> {
  if (givenPage) {
    const target = await deps.ui.progress(vscode.l10n.t('Visen: checking the Notion page…'), () => resolveTarget(deps, givenPage));
    return chosenFor(deps, target);
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
      return await chosenFor(deps, target);
    } catch (error) {
      // The link box below opens with it and says what is wrong, so it can be corrected in place.
      problem = error instanceof Error ? error.message : String(error);
    }
  }
  if (choice.kind === 'connection') {
    if (choice.connection.type === 'database') return { connection: choice.connection };
    try {
      // The page may have been unshared or trashed since: check again before generating (the run takes the page checked here).
      const page = await deps.ui.progress(vscode.l10n.t('Visen: checking "{0}"…', choice.connection.name), () => deps.generation.resolvePage(choice.connection.target.id));
      return { connection: choice.connection, page };
    } catch (error) {
      if (error instanceof NotionError && error.problem === 'notShared') {
        throw new NotionError('notShared', vscode.l10n.t('"{0}" is no longer shared with your integration, or was deleted. {1}', choice.connection.name, 'In Notion, open the page → ••• → Connections → add your integration.'));
      }
      throw error;
    }
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
  return target ? chosenFor(deps, target) : undefined;
}

/** A connection chosen for a run, with its page when it was just checked with Notion. */
interface Chosen {
  readonly connection: Connection;
  readonly page?: NotionPageRef;
}

async function chosenFor(deps: CommandDeps, target: NotionTarget): Promise<Chosen> {
  return { connection: await connectionForTarget(deps, target), page: target.kind === 'page' ? target.ref : undefined };
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
async function reportOutcome(deps: CommandDeps, outcome: GenerationOutcome & { readonly syncError?: Error }): Promise<void> {
  await report(deps, describeOutcome(outcome));
}

/** Shows a description of an outcome or an error (outcome.ts) and runs the button chosen. */
async function report(deps: CommandDeps, seen: OutcomeMessage): Promise<void> {
  if (seen.warning) void deps.ui.warn(seen.warning);
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
      await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
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
  const outcome = await retryWriteFlow(deps, record.id, { running: (title, run) => deps.ui.progress(title, (_progress, signal) => run(signal, () => undefined)) });
  await reportOutcome(deps, outcome);
}
