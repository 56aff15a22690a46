import type { Client } from '@notionhq/client';
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
export async function readPageMarkdown(client: Client, pageId: string): Promise<PageMarkdown> {
  try {
    const page = await client.request<PageMarkdownResponse>({ path: `pages/${pageId}/markdown`, method: 'get', query: { markdown_version: 'v2' } });
    return { markdown: page.markdown ?? '', truncated: page.truncated === true };
  } catch (error) {
    throw toNotionError(error);
  }
}
