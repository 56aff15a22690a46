import { Client } from '@notionhq/client';
import * as l10n from '@vscode/l10n';
import { toNotionError } from './notionErrors';

/** The page's markdown as it was before a generation touched it. */
export interface PageSnapshot {
  readonly markdown: string;
  /** Notion leaves out blocks past its size limit; such a snapshot cannot restore the page exactly. */
  readonly truncated: boolean;
  readonly takenAt: string;
}

interface PageMarkdownResponse {
  object: 'page_markdown' | 'async_task';
  id: string;
  markdown?: string;
  truncated?: boolean;
}

/**
 * Writes markdown into a page through Notion's markdown endpoints, which turn it into native blocks
 * (Notion-flavored Markdown v2). The installed SDK drops body fields it does not know, such as
 * `markdown_version`, so requests go through `client.request`, which keeps auth, version and retries.
 */
export class PageWriter {
  constructor(private readonly client: Client) {}

  async snapshot(pageId: string): Promise<PageSnapshot> {
    try {
      const page = await this.client.request<PageMarkdownResponse>({
        path: `pages/${pageId}/markdown`,
        method: 'get',
        query: { markdown_version: 'v2' },
      });
      return { markdown: page.markdown ?? '', truncated: page.truncated === true, takenAt: new Date().toISOString() };
    } catch (error) {
      throw toNotionError(error);
    }
  }

  /** Adds markdown at the end of the page. */
  async append(pageId: string, markdown: string): Promise<void> {
    await this.patch(pageId, { type: 'insert_content', insert_content: { content: markdown, position: { type: 'end' } } });
  }

  /**
   * Replaces everything on the page. Child pages and databases are never deleted: Notion refuses, and
   * Visen tells the user rather than forcing it.
   */
  async replace(pageId: string, markdown: string): Promise<void> {
    await this.patch(pageId, { type: 'replace_content', replace_content: { new_str: markdown } });
  }

  private async patch(pageId: string, body: Record<string, unknown>): Promise<void> {
    try {
      const result = await this.client.request<PageMarkdownResponse>({
        path: `pages/${pageId}/markdown`,
        method: 'patch',
        body: { ...body, markdown_version: 'v2' },
      });
      if (result.object === 'async_task') {
        throw new Error(l10n.t('Notion accepted the write as a background task, which Visen does not request.'));
      }
    } catch (error) {
      throw toNotionError(error);
    }
  }
}
