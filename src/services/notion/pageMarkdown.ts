import type { Client } from '@notionhq/client';
import { withSignal } from './notionClient';
import { toNotionError } from './notionErrors';

/** A page's content as Notion renders it in Notion-flavored Markdown: for reading only (context, previews). */
export interface PageMarkdown {
  readonly markdown: string;
  /** Notion leaves out blocks past its size limit. */
  readonly truncated: boolean;
}

interface PageMarkdownResponse {
  markdown?: string;
  truncated?: boolean;
}

/**
 * Reads a page through Notion's markdown endpoint. Visen never writes model output through the markdown
 * endpoints (they read Notion-flavored Markdown, not the GitHub markdown models write); the block writer
 * does. The installed SDK drops query fields it does not know, such as `markdown_version`, so the request
 * goes through `client.request`, which keeps auth, version and retries.
 */
export async function readPageMarkdown(client: Client, pageId: string, signal?: AbortSignal): Promise<PageMarkdown> {
  try {
    const page = await withSignal(signal, () => client.request<PageMarkdownResponse>({ path: `pages/${pageId}/markdown`, method: 'get', query: { markdown_version: 'v2' } }));
    return { markdown: page.markdown ?? '', truncated: page.truncated === true };
  } catch (error) {
    throw toNotionError(error);
  }
}

/** `{{page}}` in a prompt stands for a page's content: the page written to, or in a fill each row's page. */
const PAGE_PLACEHOLDER = /\{\{\s*page\s*\}\}/gi;

export function mentionsPage(prompt: string): boolean {
  PAGE_PLACEHOLDER.lastIndex = 0;
  return PAGE_PLACEHOLDER.test(prompt);
}

/** The prompt with every `{{page}}` replaced by `markdown` (taken as it is: `$` patterns are not read). */
export function fillPage(prompt: string, markdown: string): string {
  return prompt.replace(PAGE_PLACEHOLDER, () => markdown);
}
