import * as vscode from 'vscode';
import { Commands } from '../constants';
import { modelFor, readConfig } from '../platform/config';
import { EngineError } from '../services/engines/engine';
import { ENGINE_LABELS } from '../services/engines/engineLoader';
import type { GenerationRecord } from '../services/generation/generationRecord';
import { Generator, GenerationOutcome } from '../services/generation/generator';
import { NotionError } from '../services/notion/notionErrors';
import { NotionPageRef, NotionPages } from '../services/notion/notionPages';
import { PageWriter } from '../services/notion/pageWriter';
import { CommandDeps, engineFor, guarded, notionClient, showError } from './deps';

/** Arguments the generate commands accept from keybindings, other extensions and tests. */
export interface GenerateArgs {
  /** A Notion page URL or id; asked for when absent. */
  readonly page?: string;
  readonly prompt?: string;
}

export function registerGenerateCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.generateToPage, guarded(deps, (args?: GenerateArgs) => generateToPage(deps, args))),
    vscode.commands.registerCommand(Commands.generateFromSelection, guarded(deps, () => generateFromSelection(deps))),
    vscode.commands.registerCommand(Commands.retryWrite, guarded(deps, (recordId?: string) => retryWrite(deps, recordId))),
    vscode.commands.registerCommand(Commands.undoLastGeneration, guarded(deps, () => undoLastGeneration(deps))),
  );
}

async function generateToPage(deps: CommandDeps, args: GenerateArgs = {}): Promise<GenerationRecord | undefined> {
  const config = readConfig();
  // Both keys are checked first, so nobody types a prompt only to learn a key is missing.
  const client = await notionClient(deps);
  const engine = await engineFor(deps, config.engine);

  const page = await choosePage(deps, new NotionPages(client), args.page);
  if (!page) return undefined;
  await deps.recentPages.touch(page);

  const prompt = args.prompt?.trim() || (await askPrompt(deps, page));
  if (!prompt) return undefined;

  const model = modelFor(config);
  const generator = new Generator(new PageWriter(client), deps.generations, deps.log);
  const outcome = await deps.ui.progress(vscode.l10n.t('Visen: writing to "{0}"', page.title), (progress, signal) =>
    generator.run({
      page,
      prompt,
      mode: config.writeMode,
      engine,
      model,
      instructions: systemInstructions(config.instructions),
      signal,
      onProgress: (p) => {
        if (p.phase === 'starting') progress.report(vscode.l10n.t('Asking {0} ({1})…', ENGINE_LABELS[engine.kind], model));
        else progress.report(vscode.l10n.t('{0} characters generated, {1} of {2} blocks in Notion', p.generatedChars.toLocaleString(), p.writtenBlocks, p.blocks));
      },
    }),
  );
  await reportOutcome(deps, outcome);
  return outcome.record;
}

async function generateFromSelection(deps: CommandDeps): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
  if (!selection.trim()) {
    void deps.ui.warn(vscode.l10n.t('Select the text to use as the prompt first, then run "Visen: Generate to Notion from Selection".'));
    return;
  }
  await generateToPage(deps, { prompt: selection });
}

const PASTE_URL = 'paste';

async function choosePage(deps: CommandDeps, pages: NotionPages, given?: string): Promise<NotionPageRef | undefined> {
  if (given) {
    return deps.ui.progress(vscode.l10n.t('Visen: checking the Notion page…'), () => pages.resolvePage(given));
  }
  const recent = deps.recentPages.list();
  let choice: string | undefined = PASTE_URL;
  if (recent.length > 0) {
    const items: Array<vscode.QuickPickItem & { id: string }> = [
      ...recent.map((p) => ({ id: p.id, label: `$(file) ${p.title}`, description: p.url })),
      { id: '', label: '', kind: vscode.QuickPickItemKind.Separator },
      { id: PASTE_URL, label: `$(link) ${vscode.l10n.t('Paste a Notion page URL…')}`, alwaysShow: true },
    ];
    const picked = await deps.ui.pick(items, {
      title: vscode.l10n.t('Visen: Generate to Notion Page'),
      placeHolder: vscode.l10n.t('Choose the page to write into'),
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    choice = picked.id;
  }
  if (choice !== PASTE_URL) {
    const page = recent.find((p) => p.id === choice);
    if (!page) return undefined;
    try {
      // The page may have been unshared or trashed since: check again before generating.
      return await deps.ui.progress(vscode.l10n.t('Visen: checking "{0}"…', page.title), () => pages.resolvePage(page.id));
    } catch (error) {
      if (error instanceof NotionError && error.problem === 'notShared') await deps.recentPages.forget(page.id);
      throw error;
    }
  }
  return deps.ui.inputChecked<NotionPageRef>({
    title: vscode.l10n.t('Visen: Generate to Notion Page'),
    prompt: vscode.l10n.t('Paste the link of a Notion page shared with your integration (Share → Copy link), or its id.'),
    placeholder: 'https://www.notion.so/…',
    checkingMessage: vscode.l10n.t('Checking the page with Notion…'),
    check: async (value) => {
      try {
        return { ok: true, value: await pages.resolvePage(value) };
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    },
  });
}

async function askPrompt(deps: CommandDeps, page: NotionPageRef): Promise<string | undefined> {
  const prompt = await deps.ui.input({
    title: vscode.l10n.t('Visen: what should be written to "{0}"?', page.title),
    prompt: vscode.l10n.t('Describe the content; Visen writes it as formatted Notion blocks.'),
    placeHolder: vscode.l10n.t('e.g. A one-page project brief for a weekend hackathon'),
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Type what Visen should write.')),
  });
  return prompt?.trim() || undefined;
}

/** Visen's own instructions keep the answer in markdown Notion renders well; the user's come after. */
function systemInstructions(userInstructions: string): string {
  const base = 'You write content that is inserted directly into a Notion page. Answer with the content only, in GitHub-flavored Markdown: ' +
    'headings, paragraphs, lists, to-do lists (- [ ]), quotes, fenced code blocks with a language, tables and dividers. ' +
    'No preamble, no closing remarks, no wrapping the whole answer in a code fence.';
  return userInstructions ? `${base}\n\n${userInstructions}` : base;
}

async function reportOutcome(deps: CommandDeps, { record, error }: GenerationOutcome): Promise<void> {
  const open = vscode.l10n.t('Open in Notion');
  if (record.status === 'written') {
    const choice = await deps.ui.info(vscode.l10n.t('Wrote {0} blocks to "{1}".', record.writtenBlocks, record.page.title), open);
    if (choice === open) await deps.ui.openExternal(record.page.url);
    return;
  }
  if (record.status === 'cancelled') {
    void deps.ui.info(vscode.l10n.t('Generation cancelled. {0} blocks had been written to "{1}"; the text generated so far is kept in the log of generations.', record.writtenBlocks, record.page.title));
    return;
  }
  if (record.status === 'writeFailed') {
    const retry = vscode.l10n.t('Retry Write');
    const text = vscode.l10n.t('The text was generated but Notion did not take all of it ({0} of {1} blocks written). {2} Retry writes the rest without generating again.', record.writtenBlocks, record.blocks, error?.message ?? '');
    await showError(deps, text, { label: retry, command: Commands.retryWrite, args: [record.id] });
    return;
  }
  if (EngineError.is(error) && error.kind === 'auth') {
    const fix = record.engine === 'gemini'
      ? { label: vscode.l10n.t('Set Gemini API Key'), command: Commands.setGeminiKey }
      : { label: vscode.l10n.t('Set OpenAI API Key'), command: Commands.setOpenAIKey };
    await showError(deps, error.message, fix);
    return;
  }
  await showError(deps, error?.message ?? vscode.l10n.t('Generation failed.'));
}

async function retryWrite(deps: CommandDeps, recordId?: string): Promise<void> {
  const record = recordId ? deps.generations.get(recordId) : deps.generations.latest((r) => r.status === 'writeFailed');
  if (!record) {
    void deps.ui.info(vscode.l10n.t('There is no generation waiting to be written.'));
    return;
  }
  const client = await notionClient(deps);
  const generator = new Generator(new PageWriter(client), deps.generations, deps.log);
  const outcome = await deps.ui.progress(vscode.l10n.t('Visen: writing to "{0}"', record.page.title), (_progress, signal) => generator.retryWrite(record.id, signal));
  await reportOutcome(deps, outcome);
}

async function undoLastGeneration(deps: CommandDeps): Promise<void> {
  const record = deps.generations.latest((r) => !r.undoneAt && r.writtenBlocks > 0);
  if (!record) {
    void deps.ui.info(vscode.l10n.t('There is no generation to undo.'));
    return;
  }
  if (!record.snapshot || record.snapshot.truncated) {
    await showError(deps, vscode.l10n.t('"{0}" was too large for Visen to keep a full copy before this generation, so it cannot be restored automatically. Use the page history in Notion (••• → Page history).', record.page.title));
    return;
  }
  const restore = vscode.l10n.t('Restore Page');
  const choice = await deps.ui.confirm(
    vscode.l10n.t('Restore "{0}" to how it was before the generation of {1}?', record.page.title, new Date(record.createdAt).toLocaleString()),
    vscode.l10n.t('Prompt: "{0}". Changes made to the page since then are lost too.', record.prompt.slice(0, 200)),
    restore,
  );
  if (choice !== restore) return;
  const client = await notionClient(deps);
  await deps.ui.progress(vscode.l10n.t('Visen: restoring "{0}"…', record.page.title), () =>
    new PageWriter(client).replace(record.page.id, record.snapshot!.markdown),
  );
  record.undoneAt = new Date().toISOString();
  await deps.generations.save(record);
  const open = vscode.l10n.t('Open in Notion');
  const choiceAfter = await deps.ui.info(vscode.l10n.t('"{0}" is restored.', record.page.title), open);
  if (choiceAfter === open) await deps.ui.openExternal(record.page.url);
}
