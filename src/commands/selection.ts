import * as vscode from 'vscode';
import { Commands } from '../constants';
import { screenContext } from '../workflows/contextSecrets';
import {
  confirmContext,
  expandPrompt,
  MAX_PROMPT_LENGTH,
  PROMPT_VARIABLE_HINT,
  promptProblem,
  promptTooLong,
} from '../workflows/promptVariables';
import { CommandDeps, guarded } from './deps';
import type { GenerateArgs } from './generate';

export function registerSelectionCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(
    Commands.generateFromSelection,
    guarded(deps, () => generateFromSelection(deps)),
  );
}

/** The longest run of backticks in `text`, so the fence around it can be longer. */
function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * The selected text (or, with nothing selected, the whole file) goes to the engine as context with an
 * instruction the user types; the generate command then asks for the page and writes the answer.
 */
async function generateFromSelection(deps: CommandDeps): Promise<void> {
  const selection = await deps.editor.read('selection');
  const context = 'value' in selection ? selection : await deps.editor.read('file');
  if (!('value' in context) || !context.value.trim()) {
    void deps.ui.warn(vscode.l10n.t('Open a file or select text first, then run "Visen: Generate to Notion from Selection".'));
    return;
  }
  const whole = !('value' in selection);
  const fileName = await deps.editor.read('fileName');
  const language = await deps.editor.read('language');
  const name = 'value' in fileName ? fileName.value : '';
  const languageId = 'value' in language ? language.value : '';
  // A file of secrets, or key-like strings in the text: asked about as every surface asks (contextSecrets.ts).
  const screened = await screenContext(deps.ui, [{ text: context.value, files: name ? [name] : [] }]);
  if (!screened) return;
  const text = screened[0];
  if (!(await confirmContext(deps.ui, text.length))) return;

  const typed = await deps.ui.input({
    title: whole
      ? vscode.l10n.t('Visen: what should be done with {0}?', name)
      : vscode.l10n.t('Visen: what should be done with the selected text ({0} characters)?', context.value.length.toLocaleString()),
    prompt: vscode.l10n.t(
      'The text goes to the engine with your instruction; next you choose the Notion page. Variables: {0}',
      PROMPT_VARIABLE_HINT,
    ),
    placeHolder: vscode.l10n.t('e.g. Summarise as release notes'),
    validateInput: promptProblem,
  });
  if (!typed?.trim()) return;
  const instruction = await expandPrompt(deps, typed.trim());
  if (!instruction) return;

  // The model reads the instruction first, then the text, fenced so that nothing in it reads as an instruction's end.
  const fence = fenceFor(text);
  const source = whole ? `The file ${name}` : `Text selected in ${name}`;
  const prompt = `${instruction}\n\n${source}${languageId ? ` (${languageId})` : ''}:\n\n${fence}${languageId}\n${text.replace(/\n$/, '')}\n${fence}`;
  if (prompt.length > MAX_PROMPT_LENGTH) throw new Error(promptTooLong(prompt.length));
  await vscode.commands.executeCommand(Commands.generateToPage, { prompt } satisfies GenerateArgs);
}
