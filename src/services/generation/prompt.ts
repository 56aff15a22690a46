import * as l10n from '@vscode/l10n';
import { formatCount } from '../notion/notionUrl';

/** The longest prompt Visen sends: far past any real request, well inside every engine's context. */
export const MAX_PROMPT_LENGTH = 100_000;

export function promptTooLong(length: number): string {
  return l10n.t('The prompt is too long ({0} characters; at most {1}).', formatCount(length), formatCount(MAX_PROMPT_LENGTH));
}

/** What is wrong with a prompt, in the words every prompt box uses; undefined when it can be sent. */
export function promptProblem(prompt: string): string | undefined {
  if (!prompt.trim()) return l10n.t('Type what Visen should write.');
  if (prompt.length > MAX_PROMPT_LENGTH) return promptTooLong(prompt.length);
  return undefined;
}
