import * as l10n from '@vscode/l10n';
import type { Ui } from '../platform/ui';
import { MAX_PROMPT_LENGTH, promptTooLong } from '../services/generation/prompt';
import { formatCount } from '../services/notion/notionUrl';
import { diffFiles, screenContext } from './contextSecrets';

/** How long a prompt may be, and what a surface says about one that is empty or too long. */
export { MAX_PROMPT_LENGTH, promptProblem, promptTooLong } from '../services/generation/prompt';

/**
 * The editor variables every prompt box takes, in the order the boxes list them. Written `${name}` as in
 * VS Code's own settings and tasks; a `${…}` that is not one of them is sent as it was typed.
 */
const PROMPT_VARIABLES = ['selection', 'file', 'fileName', 'language', 'workspaceFolder', 'gitDiff', 'date'] as const;
type PromptVariable = (typeof PROMPT_VARIABLES)[number];
/** Read from the editor (the date is not). */
export type EditorVariable = Exclude<PromptVariable, 'date'>;

/** The variables as the prompt boxes list them, with `{{page}}` (filled from the Notion page, not the editor). */
export const PROMPT_VARIABLE_HINT = [...PROMPT_VARIABLES.map((name) => `\${${name}}`), '{{page}}'].join(' ');

/** Why the editor has nothing to give for a variable. */
type MissingReason = 'noEditor' | 'noSelection' | 'noWorkspace' | 'noGit' | 'noRepository' | 'noChanges';

export type VariableValue = { readonly value: string } | { readonly missing: MissingReason };

/** What the editor gives: the platform reads it (src/platform/editorContext.ts); tests give their own. */
export interface EditorContextSource {
  read(name: EditorVariable): Promise<VariableValue>;
}

export interface Expansion {
  readonly text: string;
  /** Characters the variables brought in: the context that goes with the prompt. */
  readonly contextChars: number;
  /** What is wrong, one sentence per variable with nothing to give; empty when the prompt can be sent. */
  readonly problems: readonly string[];
  /** What each variable the prompt uses gave. */
  readonly values: ReadonlyMap<PromptVariable, string>;
}

/** One scan; what a variable brings in is never scanned again, so text holding `${…}` stays as it is. */
const VARIABLE = /\$\{([A-Za-z]+)\}/g;

const isVariable = (name: string): name is PromptVariable => (PROMPT_VARIABLES as readonly string[]).includes(name);

/** Today as YYYY-MM-DD in the local time zone. */
export function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function missingMessage(name: PromptVariable, reason: MissingReason): string {
  const variable = `\${${name}}`;
  switch (reason) {
    case 'noEditor':
      return l10n.t('{0} needs a file open in the editor: open one, then generate again.', variable);
    case 'noSelection':
      return l10n.t('{0} needs selected text: select some in the editor, then generate again.', variable);
    case 'noWorkspace':
      return l10n.t('{0} needs a folder open in VS Code (File → Open Folder).', variable);
    case 'noGit':
      return l10n.t(
        "{0} needs VS Code's Git extension, which is disabled or not ready: enable it (setting git.enabled), then generate again.",
        variable,
      );
    case 'noRepository':
      return l10n.t(
        "{0} found no Git repository open in VS Code for this file or folder: open the repository's folder, then generate again.",
        variable,
      );
    case 'noChanges':
      return l10n.t('{0} has nothing to give: the repository has no staged or unstaged changes.', variable);
  }
}

/** Fills the editor variables of `template` from `source`; each variable is read once. */
export async function expandVariables(template: string, source: EditorContextSource, now = new Date()): Promise<Expansion> {
  const values = new Map<PromptVariable, VariableValue>();
  for (const match of template.matchAll(VARIABLE)) {
    const name = match[1];
    if (!isVariable(name) || values.has(name)) continue;
    values.set(name, name === 'date' ? { value: localDate(now) } : await source.read(name));
  }
  const problems = [...values].flatMap(([name, v]) => ('missing' in v ? [missingMessage(name, v.missing)] : []));
  const given = new Map([...values].flatMap(([name, v]) => ('value' in v ? [[name, v.value] as const] : [])));
  return { ...fillVariables(template, given), problems, values: given };
}

/** `template` with each variable that has a value in `values` replaced by it (one scan). */
function fillVariables(template: string, values: ReadonlyMap<PromptVariable, string>): { text: string; contextChars: number } {
  let contextChars = 0;
  const text = template.replace(VARIABLE, (whole, name: string) => {
    const found = isVariable(name) ? values.get(name) : undefined;
    if (found === undefined) return whole;
    contextChars += found.length;
    return found;
  });
  return { text, contextChars };
}

/** The variables whose text comes from files, and so may hold secrets. */
const SCREENED: readonly PromptVariable[] = ['selection', 'file', 'gitDiff'];

/**
 * The variables' values as they may be sent (contextSecrets.ts: a file of secrets only once the user says so,
 * key-like strings redacted or sent as the user chooses); undefined when the user did not want them sent.
 */
async function screenVariables(
  deps: { readonly ui: Pick<Ui, 'confirm'>; readonly editor: EditorContextSource },
  values: ReadonlyMap<PromptVariable, string>,
): Promise<ReadonlyMap<PromptVariable, string> | undefined> {
  const names = SCREENED.filter((name) => values.has(name));
  if (names.length === 0) return values;
  const fileName = names.some((name) => name !== 'gitDiff') ? await deps.editor.read('fileName') : undefined;
  const editorFile = fileName && 'value' in fileName ? [fileName.value] : [];
  const screened = await screenContext(
    deps.ui,
    names.map((name) => ({ text: values.get(name)!, files: name === 'gitDiff' ? diffFiles(values.get(name)!) : editorFile })),
  );
  if (!screened) return undefined;
  const out = new Map(values);
  names.forEach((name, i) => out.set(name, screened[i]));
  return out;
}

/** Context past this many characters is shown with its size and sent only once the user agrees. */
export const LARGE_CONTEXT_CHARS = 20_000;

/** A rough count for the confirmation: about four characters a token in English text and code. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * Asks before large context goes to the engine; true when it may be sent (small context is not asked about).
 * The context is the editor's, or with `pageTitle` a Notion page's content read for `{{page}}`.
 */
export async function confirmContext(ui: Pick<Ui, 'confirm'>, chars: number, pageTitle?: string): Promise<boolean> {
  if (chars <= LARGE_CONTEXT_CHARS) return true;
  const send = l10n.t('Send');
  const choice = await ui.confirm(
    pageTitle === undefined
      ? l10n.t('Send {0} characters (about {1} tokens) of context from the editor?', formatCount(chars), formatCount(estimateTokens(chars)))
      : l10n.t(
          'Send {0} characters (about {1} tokens) of "{2}" for {{page}}?',
          formatCount(chars),
          formatCount(estimateTokens(chars)),
          pageTitle,
        ),
    l10n.t('The engine reads all of it with your prompt: large context costs more and takes longer.'),
    send,
  );
  return choice === send;
}

/**
 * The prompt a person typed, with its editor variables filled: what every surface sends. Undefined when
 * the user declined to send a file of secrets, key-like strings or large context; throws, saying what to
 * do, when a variable has nothing to give or the prompt grows too long.
 */
export async function expandPrompt(
  deps: { readonly ui: Pick<Ui, 'confirm'>; readonly editor: EditorContextSource },
  typed: string,
): Promise<string | undefined> {
  const expansion = await expandVariables(typed, deps.editor);
  if (expansion.problems.length > 0) throw new Error(expansion.problems.join(' '));
  if (expansion.text.length > MAX_PROMPT_LENGTH) throw new Error(promptTooLong(expansion.text.length));
  const screened = await screenVariables(deps, expansion.values);
  if (!screened) return undefined;
  const filled = fillVariables(typed, screened);
  if (filled.text.length > MAX_PROMPT_LENGTH) throw new Error(promptTooLong(filled.text.length));
  return (await confirmContext(deps.ui, filled.contextChars)) ? filled.text : undefined;
}
