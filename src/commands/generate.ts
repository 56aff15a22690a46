import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Connection } from '../services/connections/connection';
import type { GenerationRecord } from '../workflows/history';
import { NotionError } from '../services/notion/notionErrors';
import { connectionForTarget, type NotionPageRef, type NotionTarget, resolveTarget } from '../workflows/databaseEntry';
import { engineAndModel, generate, readRunKeys, retryWrite as retryWriteFlow } from '../workflows/generate';
import { CommandDeps, guarded } from './deps';
import { connectionFromArg, pickConnection } from './pickers';
import { setKeyAction } from '../workflows/keys';
import { undoGeneration } from '../workflows/undo';
import { describeError, describeOutcome, type GenerationOutcome, type OutcomeAction, type OutcomeMessage } from '../workflows/outcome';
import {
  deleteTemplate,
  findTemplate,
  listTemplates,
  type PromptTemplate,
  renameTemplate,
  saveTemplate,
  templateNameProblem,
} from '../workflows/promptTemplates';
import { expandPrompt, PROMPT_VARIABLE_HINT, promptProblem } from '../workflows/promptVariables';

/** Arguments the generate command accepts from keybindings, other extensions, the tree and tests. */
export interface GenerateArgs {
  /** A Notion page URL or id; asked for when absent. */
  readonly page?: string;
  readonly connectionId?: string;
  readonly prompt?: string;
}

export function registerGenerateCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(
      Commands.generateToPage,
      guarded(deps, (args?: GenerateArgs) => generateToPage(deps, args)),
    ),
    vscode.commands.registerCommand(
      Commands.retryWrite,
      guarded(deps, (recordId?: string) => retryWrite(deps, recordId)),
    ),
  );
}

async function generateToPage(deps: CommandDeps, args: GenerateArgs = {}): Promise<GenerationRecord | undefined> {
  const given = connectionFromArg(deps, args);
  let chosen: Chosen | undefined;
  try {
    // Both keys are read first, so nobody picks a page or types a prompt only to learn a key is missing; the run takes them.
    const keys = await readRunKeys(deps, engineAndModel(given).engine);
    chosen = given ? { connection: given } : await chooseConnection(deps, args.page);
    if (!chosen) return undefined;
    const asked: AskedPrompt = {};
    const generated = await generate(deps, {
      connection: chosen.connection,
      page: chosen.page,
      keys,
      prompt: args.prompt?.trim() || ((connection) => askPrompt(deps, connection, asked)),
      askMapping: 'always',
      countCharacters: true,
      running: (title, run) => deps.ui.progress(title, (progress, signal) => run(signal, (label) => progress.report(label))),
    });
    if (!generated.started) return undefined;
    // A prompt typed here (not a template's) that wrote its page can be kept as one from the outcome's buttons;
    // a failure's buttons stay the ones that fix it.
    const save = asked.typed && generated.result.record.status === 'written' ? [saveTemplateAction(chosen.connection.id, asked.typed)] : [];
    await report(deps, describeOutcome(generated.result, deps.generations.list()), save);
    return generated.result.record;
  } catch (error) {
    // Thrown before or instead of a record (a missing key, a page Notion can't see): the same words as the form's.
    await report(deps, describeError(error, engineAndModel(chosen?.connection ?? given).engine));
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
      const page = await deps.ui.progress(vscode.l10n.t('Visen: checking "{0}"…', choice.connection.name), () =>
        deps.generation.service.resolvePage(choice.connection.target.id),
      );
      return { connection: choice.connection, page };
    } catch (error) {
      if (error instanceof NotionError && error.problem === 'notShared') {
        // The message already says what to do for this kind of token: name the connection it is about.
        throw new NotionError('notShared', vscode.l10n.t('Connection "{0}": {1}', choice.connection.name, error.message));
      }
      throw error;
    }
  }
  const target = await deps.ui.inputChecked<NotionTarget>({
    title: vscode.l10n.t('Visen: Generate to Notion Page'),
    prompt: vscode.l10n.t(
      'Paste the link of a Notion page (Share → Copy link), or its id. With an internal integration, share the page with it first.',
    ),
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

/** What the prompt step was answered with: `typed` when a new prompt was written (as typed, variables unfilled). */
interface AskedPrompt {
  typed?: string;
}

type PromptChoice = vscode.QuickPickItem & { readonly template?: PromptTemplate; readonly manage?: true };

/**
 * The prompt: with templates, a pick of "Write a new prompt…" and each template first, and last "Rename or
 * Delete a Template…", which comes back to this pick. A template is expanded as a typed prompt is (its
 * variables read now).
 */
async function askPrompt(deps: CommandDeps, connection: Connection, asked: AskedPrompt): Promise<string | undefined> {
  const title = vscode.l10n.t('Visen: what should be written to "{0}"?', connection.target.title || connection.name);
  for (let templates = listTemplates(connection); templates.length > 0; templates = listTemplates(deps.connections.get(connection.id))) {
    const items: PromptChoice[] = [
      { label: vscode.l10n.t('$(edit) Write a new prompt…'), alwaysShow: true },
      { label: vscode.l10n.t('Templates'), kind: vscode.QuickPickItemKind.Separator },
      ...templates.map((template) => ({ label: template.name, detail: oneLine(template.prompt), template })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: vscode.l10n.t('$(gear) Rename or Delete a Template…'), alwaysShow: true, manage: true },
    ];
    const choice = await deps.ui.pick(items, {
      title,
      placeHolder: vscode.l10n.t('Choose a prompt template, or write a new prompt'),
      matchOnDetail: true,
    });
    if (!choice) return undefined;
    if (choice.template) return expandPrompt(deps, choice.template.prompt);
    if (!choice.manage) break;
    await manageTemplate(deps, connection.id, templates);
  }
  const prompt = await deps.ui.input({
    title,
    prompt: vscode.l10n.t('Describe the content; Visen writes it as formatted Notion blocks. Variables: {0}', PROMPT_VARIABLE_HINT),
    placeHolder: connection.lastPrompt ?? vscode.l10n.t('e.g. A one-page project brief for a weekend hackathon'),
    validateInput: promptProblem,
  });
  if (!prompt?.trim()) return undefined;
  asked.typed = prompt.trim();
  return expandPrompt(deps, prompt.trim());
}

/** Renames or deletes one of the connection's templates, each chosen from a pick. */
async function manageTemplate(deps: CommandDeps, connectionId: string, templates: readonly PromptTemplate[]): Promise<void> {
  const picked = await deps.ui.pick(
    templates.map((template) => ({ label: template.name, detail: oneLine(template.prompt), template })),
    {
      title: vscode.l10n.t('Visen: rename or delete which template?'),
      matchOnDetail: true,
    },
  );
  if (!picked) return;
  const name = picked.template.name;
  const rename = vscode.l10n.t('$(edit) Rename…');
  const remove = vscode.l10n.t('$(trash) Delete');
  const action = await deps.ui.pick([{ label: rename }, { label: remove }], { title: vscode.l10n.t('Visen: the template "{0}"', name) });
  try {
    if (action?.label === rename) {
      const to = await deps.ui.input({
        title: vscode.l10n.t('Visen: rename the template "{0}"', name),
        prompt: vscode.l10n.t('Its new name; its prompt stays as it is.'),
        value: name,
        validateInput: templateNameProblem,
      });
      if (!to?.trim() || to.trim() === name) return;
      const renamed = await renameTemplate(deps, connectionId, name, to);
      void deps.ui.info(vscode.l10n.t('Template "{0}" renamed to "{1}".', name, renamed.name));
    } else if (action?.label === remove) {
      if (await deleteTemplate(deps, connectionId, name)) void deps.ui.info(vscode.l10n.t('Template "{0}" deleted.', name));
    }
  } catch (error) {
    // Another window deleted it meanwhile, or took the new name: said, and the pick comes back.
    void deps.ui.error(error instanceof Error ? error.message : String(error));
  }
}

/** A prompt as a quick pick's detail line. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The palette's own button on an outcome: keep the prompt just typed as a template of the connection. */
interface SaveTemplateAction {
  readonly kind: 'saveTemplate';
  readonly label: string;
  readonly connectionId: string;
  readonly prompt: string;
}

function saveTemplateAction(connectionId: string, prompt: string): SaveTemplateAction {
  return { kind: 'saveTemplate', label: vscode.l10n.t('Save Prompt as Template…'), connectionId, prompt };
}

/** Asks a name and saves the prompt under it; a name a template has replaces its prompt once confirmed. */
async function savePromptAsTemplate(deps: CommandDeps, action: SaveTemplateAction): Promise<void> {
  const connection = deps.connections.get(action.connectionId);
  if (!connection) return;
  const name = await deps.ui.input({
    title: vscode.l10n.t('Visen: save the prompt as a template of "{0}"', connection.name),
    prompt: vscode.l10n.t(
      'A name for the template. Generate to Notion Page offers it for this connection; its variables are filled each time it is used.',
    ),
    value: oneLine(action.prompt).slice(0, 40),
    validateInput: templateNameProblem,
  });
  if (!name?.trim()) return;
  const existing = findTemplate(deps.connections.get(connection.id), name);
  if (existing) {
    const replace = vscode.l10n.t('Replace');
    const answer = await deps.ui.confirm(
      vscode.l10n.t('Replace the template "{0}"?', existing.name),
      vscode.l10n.t('It gets the prompt you just used.'),
      replace,
    );
    if (answer !== replace) return;
  }
  const saved = await saveTemplate(deps, connection.id, name, action.prompt);
  void deps.ui.info(
    saved.replaced
      ? vscode.l10n.t('Template "{0}" of "{1}" replaced.', saved.template.name, connection.name)
      : vscode.l10n.t('Saved the template "{0}" for "{1}".', saved.template.name, connection.name),
  );
}

/** Shows how a generation ended, in the words and with the buttons every surface uses (describeOutcome). */
async function reportOutcome(deps: CommandDeps, outcome: GenerationOutcome & { readonly syncError?: Error }): Promise<void> {
  await report(deps, describeOutcome(outcome, deps.generations.list()));
}

/** Shows a description of an outcome or an error (outcome.ts), with the palette's own buttons after its own, and runs the button chosen. */
async function report(deps: CommandDeps, seen: OutcomeMessage, extra: readonly SaveTemplateAction[] = []): Promise<void> {
  if (seen.warning) void deps.ui.warn(seen.warning);
  if (seen.level === 'error') deps.log.error(seen.message);
  const show = seen.level === 'info' ? deps.ui.info : seen.level === 'warn' ? deps.ui.warn : deps.ui.error;
  const actions = [...seen.actions, ...extra];
  const label = await show.call(deps.ui, seen.message, ...actions.map((a) => a.label));
  const action = actions.find((a) => a.label === label);
  if (action?.kind === 'saveTemplate') await savePromptAsTemplate(deps, action);
  else if (action) await runOutcomeAction(deps, action);
}

/** What each button of an outcome does. */
async function runOutcomeAction(deps: CommandDeps, action: OutcomeAction): Promise<void> {
  switch (action.kind) {
    case 'open':
      await deps.ui.openExternal(action.url);
      return;
    case 'undo':
      await undoGeneration(deps, action.recordId);
      return;
    case 'retryWrite':
      await vscode.commands.executeCommand(Commands.retryWrite, action.recordId);
      return;
    case 'generate':
      await vscode.commands.executeCommand(Commands.generateToPage, {
        connectionId: action.connectionId,
        page: action.connectionId ? undefined : action.pageId,
        prompt: action.prompt,
      } satisfies GenerateArgs);
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
  const record = recordId
    ? deps.generations.get(recordId)
    : deps.generations.latest((r) => r.status === 'writeFailed' || r.status === 'interrupted');
  if (!record) {
    void deps.ui.info(vscode.l10n.t('There is no generation waiting to be written.'));
    return;
  }
  const outcome = await retryWriteFlow(deps, record.id, {
    running: (title, run) => deps.ui.progress(title, (_progress, signal) => run(signal, () => undefined)),
  });
  await reportOutcome(deps, outcome);
}
