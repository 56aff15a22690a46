import type { Client } from '@notionhq/client';
import { notionSdk } from './sdk';
import type { PageObjectResponse } from '@notionhq/client';
import * as l10n from '@vscode/l10n';
import type { Connection, ConnectionType } from '../connections/connection';
import { CONNECTION_TYPE_LABELS } from '../connections/connection';
import { ENGINE_KINDS, ENGINES, engineKindOf, type EngineKind } from '../engines/registry';
import { databaseLinkNotFound, NotionError, tokenKindOf, toNotionError } from './notionErrors';
import { NotionPageRef, pageTitle } from './notionPages';
import { parseNotionUrl } from './notionUrl';
import { RICH_TEXT_ITEM_LIMIT, truncateText } from './richText';

/** The columns of the connections database, by name, with the type each must have. */
const CONNECTIONS_PROPERTIES = {
  Name: 'title',
  Type: 'select',
  URL: 'url',
  'Last Prompt': 'rich_text',
  Engine: 'select',
  Model: 'rich_text',
  Prompts: 'number',
  Tokens: 'number',
  'Last Generated': 'date',
  'Visen ID': 'rich_text',
} as const;

type PropertyName = keyof typeof CONNECTIONS_PROPERTIES;

/** Property configurations in Notion's request form. */
function propertyConfig(name: PropertyName): Record<string, unknown> {
  switch (name) {
    case 'Type':
      return {
        select: {
          options: [
            { name: CONNECTION_TYPE_LABELS.page, color: 'blue' },
            { name: CONNECTION_TYPE_LABELS.database, color: 'purple' },
          ],
        },
      };
    case 'Engine':
      return { select: { options: ENGINE_KINDS.map((kind) => ({ name: kind, color: ENGINES[kind].color })) } };
    case 'Prompts':
    case 'Tokens':
      return { number: { format: 'number' } };
    default:
      return { [CONNECTIONS_PROPERTIES[name]]: {} };
  }
}

export interface ConnectionsDatabaseInfo {
  readonly databaseId: string;
  readonly dataSourceId: string;
  readonly title: string;
  readonly url: string;
  /** Columns that are absent. */
  readonly missing: string[];
  /** Columns present with another type: Visen leaves them alone and does not write them. */
  readonly wrongType: string[];
  /** Ids of the columns Visen reads (the title and each of its columns with the right type), for `filter_properties`. */
  readonly readIds?: string[];
}

/** A connection as read back from a row of the database. */
export interface ConnectionRow {
  readonly rowId: string;
  readonly visenId?: string;
  readonly name: string;
  readonly type: ConnectionType;
  readonly url?: string;
  readonly targetId?: string;
  readonly lastPrompt?: string;
  readonly engine?: EngineKind;
  readonly model?: string;
  readonly prompts: number;
  readonly tokens: number;
  readonly lastGenerated?: string;
}

/** One rich text item of at most 2,000 characters, never ending in half an emoji (a long last prompt is cut). */
const text = (content: string) => [{ type: 'text' as const, text: { content: truncateText(content, RICH_TEXT_ITEM_LIMIT) } }];

/**
 * The Notion database that mirrors Visen's connections, one row per connection matched by its Visen ID,
 * through the data-sources API (Notion API 2025-09-03 and later).
 */
export class ConnectionsDatabase {
  constructor(private readonly client: Client) {}

  /** Checks a database URL: a database the integration can see, and which of Visen's columns it lacks. */
  async inspect(input: string): Promise<ConnectionsDatabaseInfo> {
    const parsed = parseNotionUrl(input);
    if (!parsed.ok) throw new NotionError('validation', parsed.message);
    let database;
    try {
      database = await this.client.databases.retrieve({ database_id: parsed.target.id });
    } catch (error) {
      const problem = toNotionError(error, 'database');
      if (problem.problem === 'notShared' || problem.problem === 'validation') {
        throw new NotionError(problem.problem, databaseLinkNotFound(tokenKindOf(error)));
      }
      throw problem;
    }
    if (!notionSdk().isFullDatabase(database))
      throw new NotionError(
        'notShared',
        l10n.t(
          'Notion returned only part of this database: the token cannot read all of it. With an internal integration, share the database with it (••• → Connections); with a personal access token, check that your Notion account can open it.',
        ),
      );
    const source = database.data_sources[0];
    if (!source) throw new NotionError('validation', l10n.t('This database has no data source Visen can write to.'));
    const dataSource = await this.call(() => this.client.dataSources.retrieve({ data_source_id: source.id }));
    const properties = 'properties' in dataSource ? (dataSource.properties as Record<string, { id: string; type: string }>) : {};
    const missing: string[] = [];
    const wrongType: string[] = [];
    const readIds: string[] = [];
    for (const [name, type] of Object.entries(CONNECTIONS_PROPERTIES)) {
      const present = name === 'Name' ? Object.values(properties).find((p) => p.type === 'title') : properties[name];
      if (!present) missing.push(name);
      else if (present.type !== type) wrongType.push(name);
      else readIds.push(present.id);
    }
    return {
      databaseId: database.id,
      dataSourceId: source.id,
      title: database.title.map((t) => t.plain_text).join('') || l10n.t('Untitled'),
      url: database.url,
      missing,
      wrongType,
      readIds,
    };
  }

  async addMissing(info: ConnectionsDatabaseInfo): Promise<void> {
    const properties = Object.fromEntries(
      info.missing.filter((n) => n !== 'Name').map((name) => [name, propertyConfig(name as PropertyName)]),
    );
    if (Object.keys(properties).length === 0) return;
    await this.call(() => this.client.dataSources.update({ data_source_id: info.dataSourceId, properties: properties as never }));
  }

  /**
   * Pages the token can see, for choosing where to create the database. Only titles are read, which Search
   * returns under every version (2026-12-01 returns just the title without `filter_properties`).
   */
  async searchPages(query: string): Promise<NotionPageRef[]> {
    const result = await this.call(() =>
      this.client.search({
        query,
        filter: { property: 'object', value: 'page' },
        page_size: 20,
        sort: { timestamp: 'last_edited_time', direction: 'descending' },
      }),
    );
    return result.results
      .filter((p): p is PageObjectResponse => notionSdk().isFullPage(p))
      .filter((p) => !p.in_trash)
      .map((p) => ({ id: p.id, title: pageTitle(p), url: p.url }));
  }

  async create(parentPageId: string, title = 'Visen Connections'): Promise<ConnectionsDatabaseInfo> {
    const properties = Object.fromEntries(
      (Object.keys(CONNECTIONS_PROPERTIES) as PropertyName[]).map((name) => [name, propertyConfig(name)]),
    );
    const database = await this.call(() =>
      this.client.databases.create({
        parent: { type: 'page_id', page_id: parentPageId },
        title: text(title),
        initial_data_source: { properties: properties as never },
      }),
    );
    if (!notionSdk().isFullDatabase(database) || !database.data_sources[0])
      throw new NotionError('unknown', l10n.t('Notion created the database but did not return its data source.'));
    return { databaseId: database.id, dataSourceId: database.data_sources[0].id, title, url: database.url, missing: [], wrongType: [] };
  }

  /** Writes the connection's row, creating it when it has none; returns the row's id. */
  async upsert(info: ConnectionsDatabaseInfo, connection: Connection, engine?: string, model?: string): Promise<string> {
    const properties = this.rowProperties(info, connection, engine, model);
    const existing = connection.rowId ?? (await this.findRow(info, connection.id));
    if (existing) {
      try {
        await this.client.pages.update({ page_id: existing, properties: properties as never, in_trash: false });
        return existing;
      } catch (error) {
        // The row was deleted in Notion: write a new one.
        if (toNotionError(error).problem !== 'notShared') throw toNotionError(error);
      }
    }
    const page = await this.call(() =>
      this.client.pages.create({ parent: { type: 'data_source_id', data_source_id: info.dataSourceId }, properties: properties as never }),
    );
    return page.id;
  }

  async trash(rowId: string): Promise<void> {
    try {
      await this.client.pages.update({ page_id: rowId, in_trash: true });
    } catch (error) {
      const problem = toNotionError(error);
      // Already gone is as good as trashed.
      if (problem.problem !== 'notShared') throw problem;
    }
  }

  /**
   * Every row not in the trash, with the columns Visen reads named in `filter_properties`: under 2026-12-01
   * Query returns only the title without it (Upgrade guide 2026-12-01).
   */
  async rows(info: ConnectionsDatabaseInfo): Promise<ConnectionRow[]> {
    const rows: ConnectionRow[] = [];
    try {
      const filter_properties = info.readIds ?? (await this.readIds(info));
      for await (const page of notionSdk().iteratePaginatedAPI(this.client.dataSources.query, {
        data_source_id: info.dataSourceId,
        filter_properties,
        page_size: 100,
      })) {
        if (notionSdk().isFullPage(page as PageObjectResponse) && !(page as PageObjectResponse).in_trash)
          rows.push(readRow(page as PageObjectResponse));
      }
    } catch (error) {
      throw toNotionError(error, 'connectionsDatabase');
    }
    return rows;
  }

  /** Records the Visen ID on a row created by hand in Notion. */
  async setVisenId(rowId: string, visenId: string): Promise<void> {
    await this.call(() => this.client.pages.update({ page_id: rowId, properties: { 'Visen ID': { rich_text: text(visenId) } } as never }));
  }

  private async findRow(info: ConnectionsDatabaseInfo, visenId: string): Promise<string | undefined> {
    if (info.missing.includes('Visen ID') || info.wrongType.includes('Visen ID')) return undefined;
    // Only the row's id is read: the title alone, under every version.
    const result = await this.call(() =>
      this.client.dataSources.query({
        data_source_id: info.dataSourceId,
        filter_properties: ['title'],
        filter: { property: 'Visen ID', rich_text: { equals: visenId } },
        page_size: 1,
      }),
    );
    return result.results[0]?.id;
  }

  /** The ids of the columns Visen reads, for a database it created (its creation answer names no columns). */
  private async readIds(info: ConnectionsDatabaseInfo): Promise<string[]> {
    const source = await this.client.dataSources.retrieve({ data_source_id: info.dataSourceId });
    const properties = ('properties' in source ? source.properties : {}) as Record<string, { id: string; type: string }>;
    return Object.entries(properties)
      .filter(([name, p]) => p.type === 'title' || CONNECTIONS_PROPERTIES[name as PropertyName] === p.type)
      .map(([, p]) => p.id);
  }

  private rowProperties(info: ConnectionsDatabaseInfo, c: Connection, engine?: string, model?: string): Record<string, unknown> {
    const skip = new Set([...info.missing, ...info.wrongType]);
    const values: Record<string, unknown> = {
      Name: { title: text(c.name) },
      Type: { select: { name: CONNECTION_TYPE_LABELS[c.type] } },
      URL: { url: c.target.url },
      'Last Prompt': { rich_text: c.lastPrompt ? text(c.lastPrompt) : [] },
      Engine: engine ? { select: { name: engine } } : undefined,
      Model: model ? { rich_text: text(model) } : undefined,
      Prompts: { number: c.usage.prompts },
      Tokens: { number: c.usage.inputTokens + c.usage.outputTokens },
      'Last Generated': { date: c.lastUsedAt ? { start: c.lastUsedAt } : null },
      'Visen ID': { rich_text: text(c.id) },
    };
    return Object.fromEntries(Object.entries(values).filter(([name, value]) => value !== undefined && !skip.has(name)));
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toNotionError(error, 'connectionsDatabase');
    }
  }
}

function readRow(page: PageObjectResponse): ConnectionRow {
  const props = page.properties as Record<string, Record<string, unknown> & { type: string }>;
  const plain = (p: unknown) => (Array.isArray(p) ? p.map((t: { plain_text?: string }) => t.plain_text ?? '').join('') : '');
  const textOf = (name: string) => {
    const p = props[name];
    return p?.type === 'rich_text' ? plain(p.rich_text) : undefined;
  };
  const selectOf = (name: string) => {
    const p = props[name];
    return p?.type === 'select' ? (p.select as { name?: string } | null)?.name : undefined;
  };
  const numberOf = (name: string) => {
    const p = props[name];
    return p?.type === 'number' && typeof p.number === 'number' ? p.number : 0;
  };
  const urlProp = props.URL;
  const url = urlProp?.type === 'url' && typeof urlProp.url === 'string' ? urlProp.url : undefined;
  const parsed = url ? parseNotionUrl(url) : undefined;
  const dateProp = props['Last Generated'];
  const engine = selectOf('Engine');
  return {
    rowId: page.id,
    visenId: textOf('Visen ID') || undefined,
    name: pageTitle(page),
    type: selectOf('Type') === CONNECTION_TYPE_LABELS.database ? 'database' : 'page',
    url,
    targetId: parsed?.ok ? parsed.target.id : undefined,
    lastPrompt: textOf('Last Prompt') || undefined,
    engine: engineKindOf(engine),
    model: textOf('Model') || undefined,
    prompts: numberOf('Prompts'),
    tokens: numberOf('Tokens'),
    lastGenerated: dateProp?.type === 'date' ? (dateProp.date as { start?: string } | null)?.start : undefined,
  };
}
