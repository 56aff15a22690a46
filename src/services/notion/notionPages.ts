import { Client, isFullDatabase, isFullPage } from '@notionhq/client';
import type { PageObjectResponse } from '@notionhq/client';
import { NotionError, toNotionError } from './notionErrors';
import { notionUrlForId, parseNotionUrl } from './notionUrl';

/** A page Visen can write into, as Notion describes it. */
export interface NotionPageRef {
  readonly id: string;
  readonly title: string;
  readonly url: string;
}

export interface NotionIdentity {
  readonly botName: string;
  readonly workspaceName: string;
}

/** Reads who the integration is and which pages it can see. */
export class NotionPages {
  constructor(private readonly client: Client) {}

  /** The integration behind the secret: the cheapest call that proves the secret works. */
  async identity(): Promise<NotionIdentity> {
    try {
      const me = await this.client.users.me({});
      const workspaceName = me.type === 'bot' ? me.bot.workspace_name ?? 'your workspace' : 'your workspace';
      return { botName: me.name ?? 'your integration', workspaceName };
    } catch (error) {
      throw toNotionError(error);
    }
  }

  /**
   * Resolves a pasted URL or id to a page the integration can see. Every problem becomes a NotionError
   * whose message says what to do: not a Notion link, not shared, a database instead of a page.
   */
  async resolvePage(input: string): Promise<NotionPageRef> {
    const parsed = parseNotionUrl(input);
    if (!parsed.ok) throw new NotionError(parsed.reason === 'empty' ? 'validation' : 'notPage', parsed.message);
    const { id, kind } = parsed.target;
    if (kind === 'database') throw await this.databaseGiven(id);
    try {
      const page = await this.client.pages.retrieve({ page_id: id });
      if (!isFullPage(page)) throw new NotionError('notShared', 'Notion returned only part of this page. Share it with your integration and try again.');
      if (page.in_trash) throw new NotionError('notPage', `"${pageTitle(page)}" is in Notion's trash. Restore it first, or choose another page.`);
      return { id: page.id, title: pageTitle(page), url: page.url };
    } catch (error) {
      const problem = toNotionError(error);
      // Notion answers 404 for a database id on the pages endpoint too: check before saying "not shared".
      if (problem.problem === 'notShared' || problem.problem === 'isDatabase') {
        const database = await this.databaseGiven(id).catch(() => undefined);
        if (database) throw database;
      }
      throw problem;
    }
  }

  private async databaseGiven(id: string): Promise<NotionError> {
    try {
      const database = await this.client.databases.retrieve({ database_id: id });
      const title = isFullDatabase(database) ? plain(database.title) : '';
      return new NotionError('isDatabase', `${title ? `"${title}"` : 'This link'} is a Notion database, not a page. Open one of its pages in Notion and use its link, or choose another page.`);
    } catch (error) {
      const problem = toNotionError(error, 'this database');
      if (problem.problem === 'notShared') {
        return new NotionError('isDatabase', `This link points to a Notion database, not a page, and your integration can't see it either. Choose a page.`);
      }
      return problem;
    }
  }
}

export function pageTitle(page: PageObjectResponse): string {
  for (const property of Object.values(page.properties)) {
    if (property.type === 'title') return plain(property.title) || 'Untitled';
  }
  return 'Untitled';
}

function plain(richText: ReadonlyArray<{ plain_text: string }>): string {
  return richText.map((t) => t.plain_text).join('').trim();
}

export { notionUrlForId };
