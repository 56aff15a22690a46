import type { Client } from '@notionhq/client';
import { notionSdk } from './sdk';
import type { PageObjectResponse } from '@notionhq/client';
import * as l10n from '@vscode/l10n';
import { databaseLinkNotFound, NotionError, tokenKindOf, toNotionError } from './notionErrors';
import { pageTitle } from './notionPages';
import { parseNotionUrl } from './notionUrl';
import { isEmptyValue, plainValue, PropertySchema } from './propertyValues';

export interface NotionDatabaseRef {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly dataSources: Array<{ readonly id: string; readonly name: string }>;
}

export interface DataSourceInfo {
  readonly id: string;
  readonly name: string;
  readonly properties: PropertySchema[];
  readonly titleProperty: string;
}

export interface DatabaseRow {
  readonly id: string;
  readonly url: string;
  readonly title: string;
  /** Property values by name, as Notion sent them. */
  readonly values: Record<string, Record<string, unknown> & { type: string }>;
}

/** Which rows a fill runs on. */
export type RowSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'emptyTarget'; readonly property: string }
  | { readonly kind: 'equals'; readonly property: string; readonly value: string };

type Value = Record<string, unknown> & { type: string };

/** Databases and their data sources (Notion API 2025-09-03 and later): resolve, read rows, write values. */
export class NotionDatabases {
  constructor(private readonly client: Client) {}

  async resolve(input: string): Promise<NotionDatabaseRef> {
    const parsed = parseNotionUrl(input);
    if (!parsed.ok) throw new NotionError('validation', parsed.message);
    try {
      const database = await this.client.databases.retrieve({ database_id: parsed.target.id });
      if (!notionSdk().isFullDatabase(database))
        throw new NotionError(
          'notShared',
          l10n.t(
            'Notion returned only part of this database: the token cannot read all of it. With an internal integration, share the database with it (••• → Connections); with a personal access token, check that your Notion account can open it.',
          ),
        );
      return {
        id: database.id,
        // Names the database's connection, which is mirrored to Notion: Notion's word, not translated.
        title: database.title.map((t) => t.plain_text).join('') || 'Untitled',
        url: database.url,
        dataSources: database.data_sources.map((s) => ({ id: s.id, name: s.name || l10n.t('Untitled') })),
      };
    } catch (error) {
      const problem = toNotionError(error, 'database');
      if (problem.problem === 'notShared' || problem.problem === 'validation') {
        // A page link is the commonest mistake: say so.
        const page = await this.client.pages.retrieve({ page_id: parsed.target.id }).catch(() => undefined);
        if (page && notionSdk().isFullPage(page))
          throw new NotionError(
            'isPage',
            l10n.t('"{0}" is a page, not a database. Open the database as a full page in Notion and copy that link.', pageTitle(page)),
          );
        throw new NotionError('notShared', databaseLinkNotFound(tokenKindOf(error)));
      }
      throw problem;
    }
  }

  async dataSource(id: string): Promise<DataSourceInfo> {
    const source = await this.call(() => this.client.dataSources.retrieve({ data_source_id: id }));
    const raw = ('properties' in source ? source.properties : {}) as Record<string, Value & { name?: string }>;
    const properties: PropertySchema[] = Object.entries(raw).map(([name, p]) => {
      const config = p[p.type] as { options?: Array<{ name: string }> } | undefined;
      return { name, type: p.type, options: config?.options?.map((o) => o.name) };
    });
    const title = properties.find((p) => p.type === 'title')?.name ?? 'Name';
    const name = 'title' in source && Array.isArray(source.title) ? source.title.map((t) => t.plain_text).join('') : '';
    return { id, name: name || l10n.t('Untitled'), properties, titleProperty: title };
  }

  /**
   * Rows in the data source's order, every page of results, with the title and the properties named in
   * `read` (case-insensitive; every property when omitted). They are asked for by id in `filter_properties`:
   * under 2026-12-01 Query returns only the title without it (Upgrade guide 2026-12-01).
   */
  async *rows(
    dataSourceId: string,
    selection: RowSelection = { kind: 'all' },
    signal?: AbortSignal,
    read?: readonly string[],
  ): AsyncGenerator<DatabaseRow> {
    try {
      const source = await this.client.dataSources.retrieve({ data_source_id: dataSourceId });
      const schema = ('properties' in source ? source.properties : {}) as Record<string, { id: string; type: string }>;
      const wanted =
        read && new Set([...read, ...(selection.kind === 'all' ? [] : [selection.property])].map((name) => name.toLowerCase()));
      const filter_properties = Object.entries(schema)
        .filter(([name, p]) => p.type === 'title' || !wanted || wanted.has(name.toLowerCase()))
        .map(([, p]) => p.id);
      const args = { data_source_id: dataSourceId, filter_properties, page_size: 100 };
      for await (const page of notionSdk().iteratePaginatedAPI(this.client.dataSources.query, args)) {
        signal?.throwIfAborted();
        if (!notionSdk().isFullPage(page as PageObjectResponse)) continue;
        const row = readRow(page as PageObjectResponse);
        if (row && matches(row, selection)) yield row;
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      throw toNotionError(error, 'database');
    }
  }

  async row(pageId: string): Promise<DatabaseRow> {
    const page = await this.call(() => this.client.pages.retrieve({ page_id: pageId }));
    if (!notionSdk().isFullPage(page)) throw new NotionError('notShared', l10n.t('Notion returned only part of this row.'));
    return readRow(page)!;
  }

  async updateProperties(pageId: string, properties: Record<string, unknown>): Promise<void> {
    await this.call(() => this.client.pages.update({ page_id: pageId, properties: properties as never }));
  }

  /** A new row with its properties and, optionally, markdown content. */
  async createRow(dataSourceId: string, properties: Record<string, unknown>): Promise<{ id: string; url: string }> {
    const page = await this.call(() =>
      this.client.pages.create({ parent: { type: 'data_source_id', data_source_id: dataSourceId }, properties: properties as never }),
    );
    return { id: page.id, url: 'url' in page ? page.url : '' };
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toNotionError(error, 'row');
    }
  }
}

function readRow(page: PageObjectResponse): DatabaseRow | undefined {
  if (page.in_trash) return undefined;
  return { id: page.id, url: page.url, title: pageTitle(page), values: page.properties as unknown as Record<string, Value> };
}

function matches(row: DatabaseRow, selection: RowSelection): boolean {
  switch (selection.kind) {
    case 'all':
      return true;
    case 'emptyTarget':
      return isEmptyValue(row.values[selection.property]);
    case 'equals': {
      const value = row.values[selection.property];
      return value !== undefined && plainValue(value).trim().toLowerCase() === selection.value.trim().toLowerCase();
    }
  }
}

/**
 * `{{Property Name}}`. Braces cannot occur inside, so each match attempt stops at the next brace and the
 * scan is linear (the former `\{\{\s*([^}]+?)\s*\}\}` was quadratic on long runs of spaces or `{`).
 */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** Fills `{{Property Name}}` from the row; `{{page}}` is filled by the caller, which fetches the content. */
export function fillTemplate(template: string, row: DatabaseRow, pageContent?: string): string {
  return template.replace(PLACEHOLDER, (whole, raw: string) => {
    const name = raw.trim();
    if (!name) return whole;
    if (name.toLowerCase() === 'page') return pageContent ?? '';
    const value = row.values[name] ?? Object.entries(row.values).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
    return value ? plainValue(value) : whole;
  });
}

/** The property names a template's placeholders give, `{{page}}` left out. */
export function placeholderNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1].trim()).filter((n) => n && n.toLowerCase() !== 'page');
}

/** Placeholders in a template that name no property of the data source. */
export function unknownPlaceholders(template: string, properties: PropertySchema[]): string[] {
  const names = new Set(properties.map((p) => p.name.toLowerCase()));
  return [...template.matchAll(PLACEHOLDER)]
    .map((m) => m[1].trim())
    .filter((n) => n && n.toLowerCase() !== 'page' && !names.has(n.toLowerCase()));
}
