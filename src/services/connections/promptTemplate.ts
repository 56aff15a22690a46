import * as l10n from '@vscode/l10n';
import { formatCount } from '../notion/notionUrl';

/** The most templates one connection keeps: a list to choose from, not an archive. */
export const MAX_TEMPLATES = 50;
/** The longest template name: it labels a quick pick item and an option of the form's list. */
export const MAX_TEMPLATE_NAME = 100;

/**
 * A prompt saved under a name on a connection, as it was typed: its editor variables (`${selection}`…)
 * and `{{page}}` are filled when it is used, as a typed prompt's are. Kept in VS Code's state only; the
 * schema that validates it is the connection's (connection.ts). No valibot here: the form's page reads
 * the limits through formLimits.ts.
 */
export interface PromptTemplate {
  readonly name: string;
  readonly prompt: string;
}

/** "The template name is too long (101 characters; at most 100)." */
export function templateNameTooLong(length: number): string {
  return l10n.t('The template name is too long ({0} characters; at most {1}).', formatCount(length), formatCount(MAX_TEMPLATE_NAME));
}

export function tooManyTemplates(): string {
  return l10n.t('This connection already keeps {0} templates, the most it can: delete one, then save again.', formatCount(MAX_TEMPLATES));
}
