// Database, data source and search routes of the Notion stand-in.
import type { DataSourceObjectResponse, PageObjectResponse, QueryDataSourceResponse, SearchResponse } from '@notionhq/client';
import { richTextFromRequest } from './notionContent';
import { matchesFilter, schemaEntry, schemaFromRequest, sortRows } from './notionProperties';
import {
  ARCHIVED,
  type Store,
  createDatabase,
  dataSourceResponse,
  databaseResponse,
  invalid,
  now,
  pageResponse,
  paginate,
  propertyFilter,
  requireDataSource,
  requireDatabase,
  requirePage,
  rows,
  visibleDb,
  visiblePage,
} from './notionStore';
import { type Route, body, notionVersion } from './notionRoutes';

export const dataRoutes = (s: Store): Route[] => [
  { method: 'GET', pattern: /^\/v1\/databases\/([^/]+)$/, run: (m) => databaseResponse(requireDatabase(s, m[1])) },
  {
    method: 'POST',
    pattern: /^\/v1\/databases$/,
    run: (_m, req) => {
      const b = body(req);
      const p = b.parent as Record<string, any> | undefined;
      let parentPageId: string | undefined;
      if (p?.page_id) {
        const parentPage = requirePage(s, String(p.page_id), 'parent.page_id');
        if (parentPage.inTrash) throw invalid(ARCHIVED);
        parentPageId = parentPage.id;
      } else if (p?.workspace !== true) {
        throw invalid('body failed validation: body.parent.page_id should be defined, instead was `undefined`.');
      }
      const title =
        b.title === undefined
          ? ''
          : richTextFromRequest(b.title, 'body.title')
              .map((r) => r.plain_text)
              .join('');
      const properties = schemaFromRequest(b.initial_data_source?.properties, 'body.initial_data_source.properties');
      return databaseResponse(createDatabase(s, { title, properties, parentPageId }));
    },
  },
  { method: 'GET', pattern: /^\/v1\/data_sources\/([^/]+)$/, run: (m) => dataSourceResponse(requireDataSource(s, m[1])) },
  {
    method: 'PATCH',
    pattern: /^\/v1\/data_sources\/([^/]+)$/,
    run: (m, req) => {
      const db = requireDataSource(s, m[1]);
      const b = body(req);
      if (b.title !== undefined)
        db.title = richTextFromRequest(b.title, 'body.title')
          .map((r) => r.plain_text)
          .join('');
      for (const [name, config] of Object.entries((b.properties ?? {}) as Record<string, Record<string, unknown> | null>)) {
        if (config === null) {
          delete db.properties[name];
          continue;
        }
        const existing = db.properties[name];
        if (existing && typeof config.name === 'string' && Object.keys(config).length === 1) {
          delete db.properties[name];
          db.properties[config.name] = { ...existing, name: config.name };
          continue;
        }
        const schema = schemaEntry(name, config, 'body.properties');
        db.properties[name] = { ...schema, id: existing?.id ?? schema.id };
      }
      db.lastEditedTime = now();
      if (b.in_trash !== undefined) db.inTrash = !!b.in_trash;
      return dataSourceResponse(db);
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/data_sources\/([^/]+)\/query$/,
    run: (m, req): QueryDataSourceResponse => {
      const db = requireDataSource(s, m[1]);
      const b = body(req);
      const filtered = rows(s, db).filter((row) => !b.filter || matchesFilter(row, db, b.filter));
      const sorted = sortRows(filtered, db, b.sorts);
      const pageOf = paginate(sorted, b.start_cursor, b.page_size, 'body');
      const filter = propertyFilter(req.query, true, notionVersion(req));
      return {
        object: 'list',
        type: 'page_or_data_source',
        page_or_data_source: {},
        ...pageOf,
        results: pageOf.results.map((page) => pageResponse(s, page, filter)),
      };
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/search$/,
    run: (_m, req): SearchResponse => {
      const b = body(req);
      const value = b.filter?.value;
      if (b.filter && value !== 'page' && value !== 'data_source') {
        throw invalid(
          `body failed validation: body.filter.value should be \`"page"\` or \`"data_source"\`, instead was \`${JSON.stringify(value)}\`.`,
        );
      }
      const query = String(b.query ?? '').toLowerCase();
      const filter = propertyFilter(req.query, true, notionVersion(req));
      type Hit = { id: string; edited: string; seq: number; toJson: () => PageObjectResponse | DataSourceObjectResponse };
      const hits: Hit[] = [];
      let seq = 0;
      if (value !== 'data_source') {
        for (const page of s.pages.values()) {
          if (visiblePage(page) && !page.inTrash && page.title.toLowerCase().includes(query)) {
            hits.push({ id: page.id, edited: page.lastEditedTime, seq: seq++, toJson: () => pageResponse(s, page, filter) });
          }
        }
      }
      if (value !== 'page') {
        for (const db of s.databases.values()) {
          if (visibleDb(db) && !db.inTrash && db.title.toLowerCase().includes(query)) {
            hits.push({ id: db.dataSourceId, edited: db.lastEditedTime, seq: seq++, toJson: () => dataSourceResponse(db) });
          }
        }
      }
      const ascending = b.sort?.direction === 'ascending';
      hits.sort((x, y) => (x.edited === y.edited ? y.seq - x.seq : x.edited < y.edited ? 1 : -1) * (ascending ? -1 : 1));
      const pageOf = paginate(hits, b.start_cursor, b.page_size, 'body');
      return {
        object: 'list',
        type: 'page_or_data_source',
        page_or_data_source: {},
        ...pageOf,
        results: pageOf.results.map((h) => h.toJson()),
      };
    },
  },
];
