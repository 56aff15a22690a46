import type { Client } from '@notionhq/client';
import { notionSdk } from './sdk';
import type { PageObjectResponse } from '@notionhq/client';
import * as l10n from '@vscode/l10n';
import { NotionError, toNotionError } from './notionErrors';
import { parseNotionUrl } from './notionUrl';
import { type TokenIdentity, whoAmI } from './tokenIdentity';

/** A page Visen can write into, as Notion describes it. */
export interface NotionPageRef {
  readonly id: string;
  readonly title: string;
  readonly url: string;
}

/** Reads who the token acts as and which pages it can see. */
export class NotionPages {
  constructor(private readonly client: Client) {}

  /** Who the token acts as, an integration's bot or a person: the cheapest call that proves the token works. */
  async identity(): Promise<TokenIdentity> {
    try {
      return await whoAmI(this.client);
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
    if (kind === 'database') throw databaseGiven(await this.databaseTitle(id));
    try {
      const page = await this.client.pages.retrieve({ page_id: id });
      if (!notionSdk().isFullPage(page))
        throw new NotionError(
          'notShared',
          l10n.t(
            'Notion returned only part of this page: the token cannot read all of it. With an internal integration, share the page with it (••• → Connections); with a personal access token, check that your Notion account can open it. Then try again.',
          ),
        );
      if (page.in_trash)
        throw new NotionError('notPage', l10n.t('"{0}" is in Notion\'s trash. Restore it first, or choose another page.', pageTitle(page)));
      return { id: page.id, title: pageTitle(page), url: page.url };
    } catch (error) {
      const problem = toNotionError(error);
      // Notion answers the pages endpoint for a database id with 404 or 400: look before saying "not shared".
      if (problem.problem === 'notShared' || problem.problem === 'isDatabase') {
        const title = await this.databaseTitle(id);
        if (title !== undefined || problem.problem === 'isDatabase') throw databaseGiven(title);
      }
      throw problem;
    }
  }

  /**
   * Resolves a pasted URL or id to a database the integration can see, for database connections. A page
   * given instead is told apart from a database Notion can't see.
   */
  async resolveDatabase(input: string): Promise<NotionPageRef> {
    const parsed = parseNotionUrl(input);
    if (!parsed.ok) throw new NotionError(parsed.reason === 'empty' ? 'validation' : 'notPage', parsed.message);
    const { id } = parsed.target;
    try {
      const database = await this.client.databases.retrieve({ database_id: id });
      if (!notionSdk().isFullDatabase(database))
        throw new NotionError(
          'notShared',
          l10n.t(
            'Notion returned only part of this database: the token cannot read all of it. With an internal integration, share the database with it (••• → Connections); with a personal access token, check that your Notion account can open it. Then try again.',
          ),
        );
      const title = plain(database.title) || 'Untitled';
      if (database.in_trash)
        throw new NotionError('validation', l10n.t('"{0}" is in Notion\'s trash. Restore it first, or choose another database.', title));
      return { id: database.id, title, url: database.url };
    } catch (error) {
      const problem = toNotionError(error, 'database');
      // Notion answers the databases endpoint for a page id with 400 (or 404): look before saying "not shared".
      if (problem.problem !== 'unauthorized' && !(error instanceof NotionError)) {
        const page = await this.client.pages.retrieve({ page_id: id }).catch(() => undefined);
        if (page && notionSdk().isFullPage(page)) {
          throw new NotionError(
            'isPage',
            l10n.t(
              '"{0}" is a Notion page, not a database. Use the link of a database (open it as a full page, then Share → Copy link), or choose Notion Page as the type.',
              pageTitle(page),
            ),
          );
        }
      }
      throw problem;
    }
  }

  /** The title of the database with this id, if the integration can see one; undefined otherwise. */
  private async databaseTitle(id: string): Promise<string | undefined> {
    try {
      const database = await this.client.databases.retrieve({ database_id: id });
      return notionSdk().isFullDatabase(database) ? plain(database.title) : '';
    } catch {
      return undefined;
    }
  }
}

function databaseGiven(title: string | undefined): NotionError {
  return new NotionError(
    'isDatabase',
    title
      ? l10n.t('"{0}" is a Notion database, not a page. Open one of its pages in Notion and use its link, or choose another page.', title)
      : l10n.t('This link is a Notion database, not a page. Open one of its pages in Notion and use its link, or choose another page.'),
  );
}

/** The page's title; "Untitled", Notion's own word, names untitled pages in connections that are mirrored to Notion. */
export function pageTitle(page: PageObjectResponse): string {
  for (const property of Object.values(page.properties)) {
    if (property.type === 'title') return plain(property.title) || 'Untitled';
  }
  return 'Untitled';
}

/** A title as one line of text: line breaks and other control characters, which would garble a message or a quick pick, become spaces. */
function plain(richText: ReadonlyArray<{ plain_text: string }>): string {
  return (
    richText
      .map((t) => t.plain_text)
      .join('')
      // eslint-disable-next-line no-control-regex -- control characters are what this removes
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .trim()
  );
}
