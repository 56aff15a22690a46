/**
 * How long each field of the webview forms may be: the one source of the limits, read by the protocols'
 * validation on the host and by the pages' `maxlength` attributes. No valibot here, so the pages can
 * import it without the validator. Messages go through @vscode/l10n, loaded on both sides.
 */
import * as l10n from '@vscode/l10n';
import { MAX_TEMPLATE_NAME, MAX_TEMPLATES, templateNameTooLong, tooManyTemplates } from '../services/connections/promptTemplate';
import { MAX_PROMPT_LENGTH, promptTooLong } from '../services/generation/prompt';
import { formatCount, MAX_NOTION_URL_LENGTH } from '../services/notion/notionUrl';

export const LIMITS = {
  /** A Notion link (the connection form's URL, the connections database). */
  url: MAX_NOTION_URL_LENGTH,
  name: 200,
  model: 200,
  prompt: MAX_PROMPT_LENGTH,
  recordId: 100,
  /** A base URL. */
  baseUrl: 2_000,
  instructions: 20_000,
  key: 1_000,
  /** A prompt template's name; its prompt has the prompt's limit. */
  templateName: MAX_TEMPLATE_NAME,
  /** How many templates one connection keeps (a count, not a length). */
  templates: MAX_TEMPLATES,
} as const;

export type LimitedField = keyof typeof LIMITS;

/** "The link is too long (2,001 characters; at most 2,000)." */
export function tooLongMessage(field: LimitedField, length: number): string {
  const n = formatCount(length);
  const max = formatCount(LIMITS[field]);
  switch (field) {
    case 'url':
      return l10n.t('The link is too long ({0} characters; at most {1}).', n, max);
    case 'name':
      return l10n.t('The name is too long ({0} characters; at most {1}).', n, max);
    case 'model':
      return l10n.t('The model name is too long ({0} characters; at most {1}).', n, max);
    case 'prompt':
      return promptTooLong(length);
    case 'baseUrl':
      return l10n.t('The address is too long ({0} characters; at most {1}).', n, max);
    case 'instructions':
      return l10n.t('The instructions are too long ({0} characters; at most {1}).', n, max);
    case 'key':
      return l10n.t('The key is too long ({0} characters; at most {1}).', n, max);
    case 'templateName':
      return templateNameTooLong(length);
    case 'templates':
      return tooManyTemplates();
    case 'recordId':
      return l10n.t('The form sent a request Visen cannot read. Close the form and open it again.');
  }
}

/** What a request that failed validation is answered with, when no field explains it. */
export function unreadableRequestMessage(): string {
  return l10n.t('The form sent a request Visen cannot read. Close the form and open it again.');
}
