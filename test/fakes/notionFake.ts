// Loopback stand-in for api.notion.com (/v1), speaking the wire format @notionhq/client 5.x expects.
// See /work/shared/reference/wire-protocols.md §1 and §5.
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import type {
  BlockObjectResponse,
  DatabaseObjectResponse,
  DataSourceObjectResponse,
  ListBlockChildrenResponse,
  PageObjectResponse,
  QueryDataSourceResponse,
  RichTextItemResponse,
  SearchResponse,
  UserObjectResponse,
} from '@notionhq/client';
import {
  BOT_USER_ID,
  type BlockParent,
  type StoredBlock,
  ValidationError,
  blockResponse,
  blocksFromRequest,
  blocksToMarkdown,
  formatId,
  markdownToBlocks,
  renderEachBlock,
  textItem,
  richTextFromRequest,
  schemaError,
} from './notionContent';
import { FailureQueue, type LoggedRequest, sendJson, sleep, startServer } from './server';

type PageMarkdownResponse = { object: 'page_markdown'; id: string; markdown: string; truncated: boolean; unknown_block_ids: string[] };
type PropertyValue = Record<string, unknown> & { id: string; type: string };
type PropertySchema = { id: string; name: string; type: string; config: unknown };

export interface FakePage {
  readonly id: string;
  title: string;
  url: string;
  shared: boolean;
  inTrash: boolean;
  parent: { type: 'page_id'; pageId: string } | { type: 'data_source_id'; dataSourceId: string; databaseId: string } | { type: 'workspace' };
  /** Non-title property values of database rows, in response form. */
  properties: Record<string, PropertyValue>;
  blocks: StoredBlock[];
  icon: unknown;
  cover: unknown;
  createdTime: string;
  lastEditedTime: string;
}

export interface FakeDatabase {
  readonly id: string;
  readonly dataSourceId: string;
  title: string;
  url: string;
  shared: boolean;
  inTrash: boolean;
  parentPageId?: string;
  properties: Record<string, PropertySchema>;
  createdTime: string;
  lastEditedTime: string;
}

export interface NotionFailure {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export interface NotionFakeOptions {
  validTokens?: string[];
  /** Demo mode: any non-empty bearer token is accepted. */
  acceptAnyKey?: boolean;
  rateLimitPerSecond?: number;
  latencyMs?: number;
  port?: number;
}

export interface AddPageOptions {
  title: string;
  markdown?: string;
  /** false → the integration can't see it (404 object_not_found), like pages not shared with it. */
  shared?: boolean;
  parentPageId?: string;
  id?: string;
}

type RowValue = string | number | boolean | string[] | null;

export interface AddDatabaseOptions {
  title: string;
  /** Property configs in request form, e.g. `{ Name: { title: {} }, Author: { rich_text: {} } }`. */
  properties?: Record<string, Record<string, unknown>>;
  shared?: boolean;
  parentPageId?: string;
  /** Rows as simple values keyed by property name, e.g. `{ Name: 'Dune', Done: true }`. */
  rows?: Array<Record<string, RowValue>>;
}

export interface NotionFake {
  readonly url: string;
  close(): Promise<void>;
  validTokens: Set<string>;
  acceptAnyKey: boolean;
  botName: string;
  workspaceName: string;
  latencyMs: number;
  rateLimitPerSecond: number | undefined;
  readonly rateLimitedCount: number;
  readonly requests: LoggedRequest[];
  addPage(options: AddPageOptions): FakePage;
  addDatabase(options: AddDatabaseOptions): FakeDatabase;
  page(id: string): FakePage | undefined;
  database(id: string): FakeDatabase | undefined;
  pageMarkdown(id: string): string;
  pageBlocks(id: string): BlockObjectResponse[];
  failNext(match: { method?: string; path: RegExp }, response: NotionFailure, times?: number): void;
  reset(): void;
}

class NotionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (kind: string, id: string) =>
  new NotionError(404, 'object_not_found', `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`);
const invalid = (message: string) => new NotionError(400, 'validation_error', message);
const ARCHIVED = "Can't edit block that is archived. You must unarchive the block before editing.";

/** Accepts dashed or undashed ids, any case; returns the canonical dashed lowercase form. */
export function normalizeId(raw: string): string | undefined {
  const hex = decodeURIComponent(raw).replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(hex) ? formatId(hex) : undefined;
}

function notionUrl(title: string, id: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const hex = id.replace(/-/g, '');
  return `https://www.notion.so/${slug ? `${slug}-` : ''}${hex}`;
}

/** Finds a `start...end` selection (or an exact string) in the page markdown, as the markdown endpoint does. */
function findSelection(markdown: string, selection: string): { start: number; end: number } | undefined {
  const dots = selection.indexOf('...');
  if (dots < 0) {
    const at = markdown.indexOf(selection);
    return at < 0 ? undefined : { start: at, end: at + selection.length };
  }
  const head = selection.slice(0, dots);
  const tail = selection.slice(dots + 3);
  const start = markdown.indexOf(head);
  if (start < 0) return undefined;
  const tailAt = markdown.indexOf(tail, start + head.length);
  return tailAt < 0 ? undefined : { start, end: tailAt + tail.length };
}

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** Joins two markdown fragments as separate blocks. */
function joinBlocks(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter(Boolean)
    .join('\n\n');
}

export async function startNotionFake(options: NotionFakeOptions = {}): Promise<NotionFake> {
  const initialTokens = options.validTokens ?? ['secret_fake_notion'];
  const pages = new Map<string, FakePage>();
  const databases = new Map<string, FakeDatabase>();
  const dataSources = new Map<string, FakeDatabase>();
  const failures = new FailureQueue<{ method?: string; path: RegExp }, NotionFailure>();
  const requests: LoggedRequest[] = [];
  let recentRequests: number[] = [];
  let rateLimitedCount = 0;
  const workspaceId = randomUUID();

  const now = () => new Date().toISOString();
  const touch = (page: FakePage) => {
    page.lastEditedTime = now();
  };

  const visiblePage = (page: FakePage | undefined): page is FakePage => !!page && page.shared;
  const visibleDb = (db: FakeDatabase | undefined): db is FakeDatabase => !!db && db.shared;

  const renderCtx = {
    urlOf: (id: string) => pages.get(id)?.url ?? databases.get(id)?.url ?? notionUrl('', id),
  };

  /** Child page/database blocks disappear from content while their target is in the trash. */
  const liveBlocks = (blocks: StoredBlock[]) =>
    blocks.filter((b) => {
      if (b.type === 'child_page') return !pages.get(b.id)?.inTrash;
      if (b.type === 'child_database') return !databases.get(b.id)?.inTrash;
      return true;
    });

  const markdownOf = (page: FakePage) => blocksToMarkdown(liveBlocks(page.blocks), renderCtx);

  // ---- lookups ----------------------------------------------------------------------------------------------

  function idParam(raw: string, name: string): string {
    const id = normalizeId(raw);
    if (!id) throw invalid(`path failed validation: path.${name} should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`);
    return id;
  }

  function requirePage(raw: string, name = 'page_id'): FakePage {
    const id = idParam(raw, name);
    const page = pages.get(id);
    if (visiblePage(page)) return page;
    if (visibleDb(databases.get(id)) || visibleDb(dataSources.get(id))) {
      throw invalid(`Provided ID ${id} is a database, not a page. Use the retrieve database API instead, or provide a page ID.`);
    }
    throw notFound('page', id);
  }

  function requireDatabase(raw: string): FakeDatabase {
    const id = idParam(raw, 'database_id');
    const db = databases.get(id);
    if (visibleDb(db)) return db;
    if (visiblePage(pages.get(id))) {
      throw invalid(`Provided ID ${id} is a page, not a database. Use the retrieve page API instead, or provide a database ID.`);
    }
    throw notFound('database', id);
  }

  function requireDataSource(raw: string): FakeDatabase {
    const id = idParam(raw, 'data_source_id');
    const db = dataSources.get(id);
    if (visibleDb(db)) return db;
    if (visibleDb(databases.get(id))) {
      throw invalid(`Provided ID ${id} is a database, not a data source. Use the data source IDs listed in the database's data_sources.`);
    }
    throw notFound('data_source', id);
  }

  type Located = { block: StoredBlock; page: FakePage; chain: StoredBlock[]; siblings: StoredBlock[] };

  /** Finds a block anywhere in a visible page; `chain` is its ancestor blocks from the top level down. */
  function locateBlock(id: string): Located | undefined {
    const walk = (blocks: StoredBlock[], page: FakePage, chain: StoredBlock[]): Located | undefined => {
      for (const block of blocks) {
        if (block.id === id && block.type !== 'child_page') return { block, page, chain, siblings: blocks };
        const found = walk(block.children, page, [...chain, block]);
        if (found) return found;
      }
      return undefined;
    };
    for (const page of pages.values()) {
      if (!page.shared) continue;
      const found = walk(page.blocks, page, []);
      if (found) return found;
    }
    return undefined;
  }

  // ---- response builders -------------------------------------------------------------------------------------

  const user = { object: 'user', id: BOT_USER_ID } as const;

  function emptyValue(type: string): unknown {
    if (type === 'title' || type === 'rich_text' || type === 'multi_select' || type === 'people' || type === 'files' || type === 'relation') return [];
    if (type === 'checkbox') return false;
    return null;
  }

  function pageResponse(page: FakePage): PageObjectResponse {
    const properties: Record<string, unknown> = {};
    if (page.parent.type === 'data_source_id') {
      const db = dataSources.get(page.parent.dataSourceId);
      for (const schema of Object.values(db?.properties ?? {})) {
        properties[schema.name] =
          schema.type === 'title'
            ? { id: 'title', type: 'title', title: titleRichText(page.title) }
            : page.properties[schema.name] ?? { id: schema.id, type: schema.type, [schema.type]: emptyValue(schema.type) };
      }
    } else {
      properties.title = { id: 'title', type: 'title', title: titleRichText(page.title) };
    }
    const parent: PageObjectResponse['parent'] =
      page.parent.type === 'page_id'
        ? { type: 'page_id', page_id: page.parent.pageId }
        : page.parent.type === 'data_source_id'
          ? { type: 'data_source_id', data_source_id: page.parent.dataSourceId, database_id: page.parent.databaseId }
          : { type: 'workspace', workspace: true };
    return {
      object: 'page',
      id: page.id,
      created_time: page.createdTime,
      last_edited_time: page.lastEditedTime,
      created_by: user,
      last_edited_by: user,
      in_trash: page.inTrash,
      archived: page.inTrash,
      is_archived: page.inTrash,
      is_locked: false,
      url: page.url,
      public_url: null,
      icon: page.icon as PageObjectResponse['icon'],
      cover: page.cover as PageObjectResponse['cover'],
      parent,
      properties: properties as PageObjectResponse['properties'],
    };
  }

  const titleRichText = (title: string): RichTextItemResponse[] => (title ? [textItem(title)] : []);

  function schemaResponse(db: FakeDatabase): DataSourceObjectResponse['properties'] {
    const out: Record<string, unknown> = {};
    for (const p of Object.values(db.properties)) out[p.name] = { id: p.id, name: p.name, description: null, type: p.type, [p.type]: p.config };
    return out as DataSourceObjectResponse['properties'];
  }

  const dbParent = (db: FakeDatabase): DatabaseObjectResponse['parent'] =>
    db.parentPageId ? { type: 'page_id', page_id: db.parentPageId } : { type: 'workspace', workspace: true };

  function databaseResponse(db: FakeDatabase): DatabaseObjectResponse {
    return {
      object: 'database',
      id: db.id,
      title: titleRichText(db.title),
      description: [],
      parent: dbParent(db),
      is_inline: false,
      in_trash: db.inTrash,
      archived: db.inTrash,
      is_locked: false,
      created_time: db.createdTime,
      last_edited_time: db.lastEditedTime,
      data_sources: [{ id: db.dataSourceId, name: db.title }],
      icon: null,
      cover: null,
      url: db.url,
      public_url: null,
    };
  }

  function dataSourceResponse(db: FakeDatabase): DataSourceObjectResponse {
    return {
      object: 'data_source',
      id: db.dataSourceId,
      title: titleRichText(db.title),
      description: [],
      parent: { type: 'database_id', database_id: db.id },
      database_parent: dbParent(db),
      is_inline: false,
      in_trash: db.inTrash,
      archived: db.inTrash,
      created_time: db.createdTime,
      last_edited_time: db.lastEditedTime,
      created_by: user,
      last_edited_by: user,
      properties: schemaResponse(db),
      icon: null,
      cover: null,
      url: db.url,
      public_url: null,
    };
  }

  const blockParentFor = (page: FakePage, chain: StoredBlock[]): BlockParent =>
    chain.length ? { type: 'block_id', block_id: chain[chain.length - 1].id } : { type: 'page_id', page_id: page.id };

  function childPageBlock(page: FakePage, inTrash = page.inTrash): BlockObjectResponse {
    const parent: BlockParent =
      page.parent.type === 'page_id' ? { type: 'page_id', page_id: page.parent.pageId } : { type: 'page_id', page_id: page.id };
    const block: StoredBlock = { id: page.id, type: 'child_page', data: { title: page.title }, children: page.blocks, createdTime: page.createdTime, lastEditedTime: page.lastEditedTime };
    return blockResponse(block, parent, inTrash);
  }

  function markdownResponse(page: FakePage): PageMarkdownResponse {
    return { object: 'page_markdown', id: page.id, markdown: markdownOf(page), truncated: false, unknown_block_ids: [] };
  }

  // ---- pagination --------------------------------------------------------------------------------------------

  function paginate<T extends { id: string }>(items: T[], startCursor: unknown, pageSizeRaw: unknown, where: 'body' | 'query') {
    const pageSize = pageSizeRaw === undefined || pageSizeRaw === null ? 100 : Number(pageSizeRaw);
    if (!Number.isInteger(pageSize) || pageSize < 1) throw schemaError(`${where}.page_size`, `should be a positive integer, instead was \`${JSON.stringify(pageSizeRaw)}\`.`);
    if (pageSize > 100) throw schemaError(`${where}.page_size`, `should be ≤ \`100\`, instead was \`${pageSize}\`.`);
    let start = 0;
    if (startCursor !== undefined && startCursor !== null) {
      start = items.findIndex((item) => item.id === normalizeId(String(startCursor)));
      if (start < 0) throw invalid(`start_cursor provided is invalid: ${String(startCursor)}`);
    }
    const slice = items.slice(start, start + pageSize);
    const next = items[start + pageSize];
    return { results: slice, next_cursor: next ? next.id : null, has_more: !!next };
  }

  // ---- properties --------------------------------------------------------------------------------------------

  function propertyValueFromRequest(schema: PropertySchema, value: Record<string, unknown>, path: string): PropertyValue {
    const raw = value[schema.type];
    let stored: unknown = raw;
    switch (schema.type) {
      case 'rich_text':
        stored = richTextFromRequest(raw ?? [], `${path}.rich_text`);
        break;
      case 'select':
      case 'status':
        stored = raw ? { id: randomUUID().slice(0, 4), name: (raw as { name: string }).name, color: 'default' } : null;
        break;
      case 'multi_select':
        stored = ((raw as Array<{ name: string }>) ?? []).map((o) => ({ id: randomUUID().slice(0, 4), name: o.name, color: 'default' }));
        break;
      case 'date':
        stored = raw ? { end: null, time_zone: null, ...(raw as object) } : null;
        break;
      case 'checkbox':
        stored = !!raw;
        break;
    }
    return { id: schema.id, type: schema.type, [schema.type]: stored === undefined ? emptyValue(schema.type) : stored };
  }

  /** Applies request-form property values; true when the title property was among them. */
  function applyProperties(page: FakePage, props: Record<string, Record<string, unknown>>, path: string): boolean {
    let titleSet = false;
    const db = page.parent.type === 'data_source_id' ? dataSources.get(page.parent.dataSourceId) : undefined;
    for (const [name, value] of Object.entries(props)) {
      const schema = db ? db.properties[name] ?? Object.values(db.properties).find((p) => p.id === name) : undefined;
      const isTitle = db ? schema?.type === 'title' : name === 'title' || 'title' in (value ?? {});
      if (isTitle) {
        const rich = richTextFromRequest(value.title ?? [], `${path}.${name}.title`);
        setTitle(page, rich.map((r) => r.plain_text).join(''));
        titleSet = true;
      } else if (schema) {
        page.properties[schema.name] = propertyValueFromRequest(schema, value, `${path}.${name}`);
      } else {
        throw invalid(`${name} is not a property that exists.`);
      }
    }
    return titleSet;
  }

  function setTitle(page: FakePage, title: string) {
    page.title = title;
    page.url = notionUrl(title, page.id);
  }

  function schemaEntry(name: string, config: Record<string, unknown>, path: string): PropertySchema {
    const type = typeof config.type === 'string' ? config.type : Object.keys(config).find((k) => k !== 'type' && k !== 'name' && k !== 'description');
    if (!type) throw invalid(`${path}.${name} should be a property configuration, instead was \`${JSON.stringify(config)}\`.`);
    return { id: type === 'title' ? 'title' : randomUUID().slice(0, 4), name, type, config: config[type] ?? {} };
  }

  function schemaFromRequest(props: Record<string, Record<string, unknown>> | undefined, path: string): Record<string, PropertySchema> {
    const out: Record<string, PropertySchema> = {};
    for (const [name, config] of Object.entries(props ?? { Name: { title: {} } })) out[name] = schemaEntry(name, config, path);
    if (!Object.values(out).some((p) => p.type === 'title')) throw invalid('Title property is required for a data source. Add a property of type `title`.');
    return out;
  }

  // ---- filters and sorts -------------------------------------------------------------------------------------

  function propertyText(page: FakePage, schema: PropertySchema): string {
    if (schema.type === 'title') return page.title;
    const value = page.properties[schema.name]?.[schema.type];
    if (Array.isArray(value)) return value.map((v: { plain_text?: string; name?: string }) => v.plain_text ?? v.name ?? '').join('');
    if (value && typeof value === 'object' && 'name' in value) return String((value as { name: string }).name);
    return value === null || value === undefined ? '' : String(value);
  }

  function matchesFilter(page: FakePage, db: FakeDatabase, filter: Record<string, any>): boolean {
    if (Array.isArray(filter.and)) return filter.and.every((f: Record<string, any>) => matchesFilter(page, db, f));
    if (Array.isArray(filter.or)) return filter.or.some((f: Record<string, any>) => matchesFilter(page, db, f));
    if (filter.timestamp) {
      const key = filter.timestamp as 'created_time' | 'last_edited_time';
      const cond = filter[key] ?? {};
      const t = Date.parse(key === 'created_time' ? page.createdTime : page.lastEditedTime);
      const ref = (v: string) => Date.parse(v);
      if (cond.on_or_after) return t >= ref(cond.on_or_after);
      if (cond.on_or_before) return t <= ref(cond.on_or_before);
      if (cond.after) return t > ref(cond.after);
      if (cond.before) return t < ref(cond.before);
      return true;
    }
    const schema = db.properties[filter.property] ?? Object.values(db.properties).find((p) => p.id === filter.property);
    if (!schema) throw invalid(`Could not find property with name or id: ${filter.property}`);
    const kind = Object.keys(filter).find((k) => k !== 'property') ?? schema.type;
    const cond = filter[kind] ?? {};
    if (kind === 'checkbox') {
      const value = !!page.properties[schema.name]?.checkbox;
      return 'equals' in cond ? value === cond.equals : 'does_not_equal' in cond ? value !== cond.does_not_equal : true;
    }
    if (kind === 'number') {
      const value = page.properties[schema.name]?.number as number | null;
      if ('equals' in cond) return value === cond.equals;
      if ('greater_than' in cond) return value !== null && value > cond.greater_than;
      if ('less_than' in cond) return value !== null && value < cond.less_than;
      if (cond.is_empty) return value === null;
      if (cond.is_not_empty) return value !== null;
      return true;
    }
    const text = propertyText(page, schema);
    const lower = text.toLowerCase();
    if ('equals' in cond) return text === String(cond.equals);
    if ('does_not_equal' in cond) return text !== String(cond.does_not_equal);
    if ('contains' in cond) return lower.includes(String(cond.contains).toLowerCase());
    if ('does_not_contain' in cond) return !lower.includes(String(cond.does_not_contain).toLowerCase());
    if ('starts_with' in cond) return lower.startsWith(String(cond.starts_with).toLowerCase());
    if ('ends_with' in cond) return lower.endsWith(String(cond.ends_with).toLowerCase());
    if (cond.is_empty) return text === '';
    if (cond.is_not_empty) return text !== '';
    return true;
  }

  function sortRows(rows: FakePage[], db: FakeDatabase, sorts: Array<Record<string, string>> | undefined): FakePage[] {
    if (!sorts?.length) return rows;
    return [...rows].sort((a, b) => {
      for (const sort of sorts) {
        let av: string;
        let bv: string;
        if (sort.timestamp) {
          av = sort.timestamp === 'created_time' ? a.createdTime : a.lastEditedTime;
          bv = sort.timestamp === 'created_time' ? b.createdTime : b.lastEditedTime;
        } else {
          const schema = db.properties[sort.property];
          if (!schema) throw invalid(`Could not find sort property with name or id: ${sort.property}`);
          av = propertyText(a, schema);
          bv = propertyText(b, schema);
        }
        const cmp = av.localeCompare(bv, undefined, { numeric: true });
        if (cmp) return sort.direction === 'descending' ? -cmp : cmp;
      }
      return 0;
    });
  }

  // ---- content edits -----------------------------------------------------------------------------------------

  /**
   * Replaces a page's content with parsed markdown, keeping the ids of blocks whose markdown did not change,
   * and refusing (unless allowed) to drop child pages/databases.
   */
  function replaceContent(page: FakePage, markdown: string, allowDeleting: boolean): void {
    const old = liveBlocks(page.blocks);
    const oldRendered = renderEachBlock(old, renderCtx);
    const parsed = markdownToBlocks(markdown).map((block) => {
      const known = block.type === 'child_page' ? visiblePage(pages.get(block.id)) : block.type === 'child_database' ? visibleDb(databases.get(block.id)) : true;
      return known ? block : { ...block, type: 'paragraph', id: randomUUID(), data: { rich_text: [textItem(block.source ?? '')], color: 'default', icon: null } };
    });
    let cursor = 0;
    const next = parsed.map((block) => {
      const k = old.findIndex((o, i) => i >= cursor && (block.type.startsWith('child_') ? o.id === block.id : oldRendered[i] === block.source));
      if (k < 0) return block;
      cursor = k + 1;
      return { ...old[k], source: block.source };
    });
    const kept = new Set(next.map((b) => b.id));
    const dropped = old.filter((b) => (b.type === 'child_page' || b.type === 'child_database') && !kept.has(b.id));
    if (dropped.length && !allowDeleting) {
      throw invalid(
        `This edit would delete ${dropped.length} child page(s) or database(s) (${dropped.map((b) => b.id).join(', ')}). Set allow_deleting_content to true to allow this.`,
      );
    }
    for (const b of dropped) {
      const child = pages.get(b.id) ?? databases.get(b.id);
      if (child) child.inTrash = true;
    }
    page.blocks = next;
    touch(page);
  }

  function editMarkdown(page: FakePage, body: Record<string, any>): void {
    if (page.inTrash) throw invalid(ARCHIVED);
    const type = body.type;
    const kinds = ['insert_content', 'replace_content', 'replace_content_range', 'update_content'];
    if (!kinds.includes(type)) {
      throw invalid(`body failed validation: body.type should be one of ${kinds.map((k) => `"${k}"`).join(', ')}, instead was \`${JSON.stringify(type)}\`.`);
    }
    const args = body[type];
    if (!args || typeof args !== 'object') throw invalid(`body failed validation: body.${type} should be defined, instead was \`undefined\`.`);
    const current = markdownOf(page);
    const allowDeleting = args.allow_deleting_content === true;
    const requireString = (field: string) => {
      if (typeof args[field] !== 'string') throw invalid(`body failed validation: body.${type}.${field} should be a string, instead was \`${JSON.stringify(args[field])}\`.`);
      return args[field] as string;
    };
    switch (type) {
      case 'insert_content': {
        const content = requireString('content');
        if (args.after !== undefined && args.position !== undefined) throw invalid('Cannot specify both `after` and `position` in insert_content.');
        let next: string;
        if (typeof args.after === 'string') {
          const range = findSelection(current, args.after);
          if (!range) throw invalid(`Could not find the selection to insert after: "${args.after}".`);
          const lineEnd = current.indexOf('\n', range.end);
          const at = lineEnd < 0 ? current.length : lineEnd;
          next = joinBlocks(current.slice(0, at), content, current.slice(at));
        } else if (args.position?.type === 'start') {
          next = joinBlocks(content, current);
        } else {
          next = joinBlocks(current, content);
        }
        replaceContent(page, next, true);
        return;
      }
      case 'replace_content':
        replaceContent(page, requireString('new_str'), allowDeleting);
        return;
      case 'replace_content_range': {
        const content = requireString('content');
        const selection = requireString('content_range');
        const range = findSelection(current, selection);
        if (!range) throw invalid(`Could not find the content_range selection in the page: "${selection}".`);
        replaceContent(page, current.slice(0, range.start) + content + current.slice(range.end), allowDeleting);
        return;
      }
      case 'update_content': {
        if (!Array.isArray(args.content_updates) || !args.content_updates.length) {
          throw invalid('body failed validation: body.update_content.content_updates should be a non-empty array.');
        }
        let next = current;
        args.content_updates.forEach((update: Record<string, unknown>, i: number) => {
          const { old_str: oldStr, new_str: newStr } = update;
          if (typeof oldStr !== 'string' || !oldStr || typeof newStr !== 'string') {
            throw invalid(`body failed validation: body.update_content.content_updates[${i}] needs string old_str and new_str.`);
          }
          const count = countOccurrences(next, oldStr);
          if (count === 0) throw invalid(`content_updates[${i}]: old_str not found in the page content: "${oldStr}".`);
          if (count > 1 && update.replace_all_matches !== true) {
            throw invalid(`content_updates[${i}]: old_str matches ${count} locations in the page content. Add more context to make it unique, or set replace_all_matches to true.`);
          }
          next = update.replace_all_matches === true ? next.split(oldStr).join(newStr) : next.replace(oldStr, () => newStr);
        });
        replaceContent(page, next, allowDeleting);
        return;
      }
    }
  }

  /** A changed block and its ancestors lose their cached markdown source, so reads re-render them from blocks. */
  function invalidate(chain: StoredBlock[], block?: StoredBlock) {
    for (const b of [...chain, ...(block ? [block] : [])]) {
      b.source = undefined;
      b.lastEditedTime = now();
    }
  }

  function insertChildren(siblings: StoredBlock[], blocks: StoredBlock[], position: Record<string, any> | undefined, after: unknown): void {
    let index = siblings.length;
    const afterId = position?.type === 'after_block' ? position.after_block?.id : after;
    if (position?.type === 'start') index = 0;
    else if (afterId !== undefined) {
      const id = normalizeId(String(afterId));
      const at = siblings.findIndex((b) => b.id === id);
      if (at < 0) throw invalid(`Could not find block to insert after with ID: ${String(afterId)}.`);
      index = at + 1;
    }
    siblings.splice(index, 0, ...blocks);
  }

  // ---- creation helpers --------------------------------------------------------------------------------------

  function createPage(init: { title: string; parent: FakePage['parent']; shared?: boolean; id?: string; blocks?: StoredBlock[] }): FakePage {
    const id = init.id ? normalizeId(init.id) : randomUUID();
    if (!id) throw new Error(`invalid page id: ${init.id}`);
    const time = now();
    const page: FakePage = {
      id,
      title: init.title,
      url: notionUrl(init.title, id),
      shared: init.shared ?? true,
      inTrash: false,
      parent: init.parent,
      properties: {},
      blocks: init.blocks ?? [],
      icon: null,
      cover: null,
      createdTime: time,
      lastEditedTime: time,
    };
    pages.set(id, page);
    if (init.parent.type === 'page_id') {
      const parent = pages.get(init.parent.pageId);
      if (parent) {
        parent.blocks.push({ id, type: 'child_page', data: { title: page.title }, children: [], createdTime: time, lastEditedTime: time });
        touch(parent);
      }
    }
    return page;
  }

  function createDatabase(init: { title: string; properties: Record<string, PropertySchema>; parentPageId?: string; shared?: boolean }): FakeDatabase {
    const id = randomUUID();
    const time = now();
    const db: FakeDatabase = {
      id,
      dataSourceId: randomUUID(),
      title: init.title,
      url: notionUrl('', id),
      shared: init.shared ?? true,
      inTrash: false,
      parentPageId: init.parentPageId,
      properties: init.properties,
      createdTime: time,
      lastEditedTime: time,
    };
    databases.set(db.id, db);
    dataSources.set(db.dataSourceId, db);
    const parent = init.parentPageId ? pages.get(init.parentPageId) : undefined;
    if (parent) parent.blocks.push({ id, type: 'child_database', data: { title: db.title }, children: [], createdTime: time, lastEditedTime: time });
    return db;
  }

  /** Content from markdown; without an explicit title the first `# heading` becomes it, as Notion does. */
  function contentFromMarkdown(markdown: string, title: string | undefined): { title: string; blocks: StoredBlock[] } {
    const blocks = markdownToBlocks(markdown);
    if (title === undefined && blocks[0]?.type === 'heading_1') {
      const [first, ...rest] = blocks;
      return { title: (first.data.rich_text as RichTextItemResponse[]).map((r) => r.plain_text).join(''), blocks: rest };
    }
    return { title: title ?? '', blocks };
  }

  const rows = (db: FakeDatabase) =>
    [...pages.values()].filter((p) => p.shared && !p.inTrash && p.parent.type === 'data_source_id' && p.parent.dataSourceId === db.dataSourceId);

  // ---- routing -----------------------------------------------------------------------------------------------

  type Route = { method: string; pattern: RegExp; run: (m: RegExpMatchArray, req: LoggedRequest) => unknown };
  const body = (req: LoggedRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, any>) : {});

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/v1\/users\/me$/,
      run: (): UserObjectResponse => ({
        object: 'user',
        id: BOT_USER_ID,
        name: fake.botName,
        avatar_url: null,
        type: 'bot',
        bot: {
          owner: { type: 'workspace', workspace: true },
          workspace_id: workspaceId,
          workspace_limits: { max_file_upload_size_in_bytes: 5_242_880 },
          workspace_name: fake.workspaceName,
        },
      }),
    },
    { method: 'GET', pattern: /^\/v1\/pages\/([^/]+)$/, run: (m) => pageResponse(requirePage(m[1])) },
    {
      method: 'PATCH',
      pattern: /^\/v1\/pages\/([^/]+)$/,
      run: (m, req) => {
        const page = requirePage(m[1]);
        const b = body(req);
        const trash = b.in_trash ?? b.archived ?? b.is_archived;
        if (page.inTrash && trash !== false && b.properties) throw invalid(ARCHIVED);
        if (typeof trash === 'boolean') page.inTrash = trash;
        if (b.properties) applyProperties(page, b.properties, 'body.properties');
        if ('icon' in b) page.icon = b.icon;
        if ('cover' in b) page.cover = b.cover;
        if (b.erase_content === true) page.blocks = [];
        touch(page);
        return pageResponse(page);
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/pages$/,
      run: (_m, req) => {
        const b = body(req);
        const p = b.parent as Record<string, any> | undefined;
        if (!p || typeof p !== 'object') throw invalid('body failed validation: body.parent should be defined, instead was `undefined`.');
        let parent: FakePage['parent'];
        if (p.page_id) {
          const parentPage = requirePage(String(p.page_id), 'parent.page_id');
          if (parentPage.inTrash) throw invalid(ARCHIVED);
          parent = { type: 'page_id', pageId: parentPage.id };
        } else if (p.data_source_id) {
          const db = requireDataSource(String(p.data_source_id));
          parent = { type: 'data_source_id', dataSourceId: db.dataSourceId, databaseId: db.id };
        } else if (p.database_id) {
          const db = requireDatabase(String(p.database_id));
          parent = { type: 'data_source_id', dataSourceId: db.dataSourceId, databaseId: db.id };
        } else if (p.workspace === true) {
          parent = { type: 'workspace' };
        } else {
          throw invalid('body failed validation: body.parent.page_id should be defined, instead was `undefined`.');
        }
        if (b.markdown !== undefined && (b.children !== undefined || b.content !== undefined)) {
          throw invalid('body failed validation: body.children should be not present when body.markdown is provided.');
        }
        const page = createPage({ title: '', parent, shared: true });
        try {
          const titleSet = b.properties ? applyProperties(page, b.properties, 'body.properties') : false;
          if (typeof b.markdown === 'string') {
            const content = contentFromMarkdown(b.markdown, titleSet ? page.title : undefined);
            setTitle(page, content.title);
            page.blocks = content.blocks;
          } else if (b.children !== undefined) {
            page.blocks = blocksFromRequest(b.children, 'body.children');
          }
        } catch (err) {
          pages.delete(page.id);
          if (parent.type === 'page_id') {
            const parentPage = pages.get(parent.pageId);
            if (parentPage) parentPage.blocks = parentPage.blocks.filter((x) => x.id !== page.id);
          }
          throw err;
        }
        const parentPage = parent.type === 'page_id' ? pages.get(parent.pageId) : undefined;
        const link = parentPage?.blocks.find((x) => x.id === page.id);
        if (link) link.data = { title: page.title };
        return pageResponse(page);
      },
    },
    { method: 'GET', pattern: /^\/v1\/pages\/([^/]+)\/markdown$/, run: (m) => markdownResponse(requirePage(m[1])) },
    {
      method: 'PATCH',
      pattern: /^\/v1\/pages\/([^/]+)\/markdown$/,
      run: (m, req) => {
        const page = requirePage(m[1]);
        editMarkdown(page, body(req));
        return markdownResponse(page);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/blocks\/([^/]+)$/,
      run: (m) => {
        const id = idParam(m[1], 'block_id');
        const page = pages.get(id);
        if (visiblePage(page)) return childPageBlock(page);
        const found = locateBlock(id);
        if (!found) throw notFound('block', id);
        return blockResponse(found.block, blockParentFor(found.page, found.chain));
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/v1\/blocks\/([^/]+)$/,
      run: (m, req) => {
        const id = idParam(m[1], 'block_id');
        const found = locateBlock(id);
        if (!found) throw notFound('block', id);
        if (found.page.inTrash) throw invalid(ARCHIVED);
        const b = body(req);
        if (b.in_trash === true || b.archived === true) {
          found.siblings.splice(found.siblings.indexOf(found.block), 1);
          invalidate(found.chain);
          touch(found.page);
          return blockResponse(found.block, blockParentFor(found.page, found.chain), true);
        }
        const payload = b[found.block.type];
        if (payload && typeof payload === 'object') {
          const [updated] = blocksFromRequest([{ type: found.block.type, [found.block.type]: { ...found.block.data, ...payload } }], 'body', 2);
          found.block.data = updated.data;
        }
        invalidate(found.chain, found.block);
        touch(found.page);
        return blockResponse(found.block, blockParentFor(found.page, found.chain));
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/blocks\/([^/]+)$/,
      run: (m) => {
        const id = idParam(m[1], 'block_id');
        const page = pages.get(id);
        if (visiblePage(page)) {
          page.inTrash = true;
          touch(page);
          return childPageBlock(page, true);
        }
        const found = locateBlock(id);
        if (!found) throw notFound('block', id);
        if (found.page.inTrash) throw invalid(ARCHIVED);
        found.siblings.splice(found.siblings.indexOf(found.block), 1);
        invalidate(found.chain);
        touch(found.page);
        return blockResponse(found.block, blockParentFor(found.page, found.chain), true);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/blocks\/([^/]+)\/children$/,
      run: (m, req): ListBlockChildrenResponse => {
        const id = idParam(m[1], 'block_id');
        const page = pages.get(id);
        let list: BlockObjectResponse[];
        if (visiblePage(page)) {
          list = liveBlocks(page.blocks).map((b) => blockResponse(b, { type: 'page_id', page_id: page.id }));
        } else {
          const found = locateBlock(id);
          if (!found) throw notFound('block', id);
          list = found.block.children.map((b) => blockResponse(b, { type: 'block_id', block_id: found.block.id }));
        }
        const pageOf = paginate(list, req.query.start_cursor, req.query.page_size, 'query');
        return { object: 'list', type: 'block', block: {}, ...pageOf };
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/v1\/blocks\/([^/]+)\/children$/,
      run: (m, req): ListBlockChildrenResponse => {
        const id = idParam(m[1], 'block_id');
        const b = body(req);
        if (b.children === undefined) throw invalid('body failed validation: body.children should be defined, instead was `undefined`.');
        const blocks = blocksFromRequest(b.children, 'body.children');
        const page = pages.get(id);
        let parent: BlockParent;
        if (visiblePage(page)) {
          if (page.inTrash) throw invalid(ARCHIVED);
          insertChildren(page.blocks, blocks, b.position, b.after);
          touch(page);
          parent = { type: 'page_id', page_id: page.id };
        } else {
          const found = locateBlock(id);
          if (!found) throw notFound('block', id);
          if (found.page.inTrash) throw invalid(ARCHIVED);
          insertChildren(found.block.children, blocks, b.position, b.after);
          invalidate(found.chain, found.block);
          touch(found.page);
          parent = { type: 'block_id', block_id: found.block.id };
        }
        return { object: 'list', type: 'block', block: {}, results: blocks.map((x) => blockResponse(x, parent)), next_cursor: null, has_more: false };
      },
    },
    { method: 'GET', pattern: /^\/v1\/databases\/([^/]+)$/, run: (m) => databaseResponse(requireDatabase(m[1])) },
    {
      method: 'POST',
      pattern: /^\/v1\/databases$/,
      run: (_m, req) => {
        const b = body(req);
        const p = b.parent as Record<string, any> | undefined;
        let parentPageId: string | undefined;
        if (p?.page_id) {
          const parentPage = requirePage(String(p.page_id), 'parent.page_id');
          if (parentPage.inTrash) throw invalid(ARCHIVED);
          parentPageId = parentPage.id;
        } else if (p?.workspace !== true) {
          throw invalid('body failed validation: body.parent.page_id should be defined, instead was `undefined`.');
        }
        const title = b.title === undefined ? '' : richTextFromRequest(b.title, 'body.title').map((r) => r.plain_text).join('');
        const properties = schemaFromRequest(b.initial_data_source?.properties, 'body.initial_data_source.properties');
        return databaseResponse(createDatabase({ title, properties, parentPageId }));
      },
    },
    { method: 'GET', pattern: /^\/v1\/data_sources\/([^/]+)$/, run: (m) => dataSourceResponse(requireDataSource(m[1])) },
    {
      method: 'PATCH',
      pattern: /^\/v1\/data_sources\/([^/]+)$/,
      run: (m, req) => {
        const db = requireDataSource(m[1]);
        const b = body(req);
        if (b.title !== undefined) db.title = richTextFromRequest(b.title, 'body.title').map((r) => r.plain_text).join('');
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
        const db = requireDataSource(m[1]);
        const b = body(req);
        const filtered = rows(db).filter((row) => !b.filter || matchesFilter(row, db, b.filter));
        const sorted = sortRows(filtered, db, b.sorts);
        const pageOf = paginate(sorted, b.start_cursor, b.page_size, 'body');
        return { object: 'list', type: 'page_or_data_source', page_or_data_source: {}, ...pageOf, results: pageOf.results.map(pageResponse) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/search$/,
      run: (_m, req): SearchResponse => {
        const b = body(req);
        const value = b.filter?.value;
        if (b.filter && value !== 'page' && value !== 'data_source') {
          throw invalid(`body failed validation: body.filter.value should be \`"page"\` or \`"data_source"\`, instead was \`${JSON.stringify(value)}\`.`);
        }
        const query = String(b.query ?? '').toLowerCase();
        type Hit = { id: string; edited: string; seq: number; toJson: () => PageObjectResponse | DataSourceObjectResponse };
        const hits: Hit[] = [];
        let seq = 0;
        if (value !== 'data_source') {
          for (const page of pages.values()) {
            if (page.shared && !page.inTrash && page.title.toLowerCase().includes(query)) {
              hits.push({ id: page.id, edited: page.lastEditedTime, seq: seq++, toJson: () => pageResponse(page) });
            }
          }
        }
        if (value !== 'page') {
          for (const db of databases.values()) {
            if (db.shared && !db.inTrash && db.title.toLowerCase().includes(query)) {
              hits.push({ id: db.dataSourceId, edited: db.lastEditedTime, seq: seq++, toJson: () => dataSourceResponse(db) });
            }
          }
        }
        const ascending = b.sort?.direction === 'ascending';
        hits.sort((x, y) => (x.edited === y.edited ? y.seq - x.seq : x.edited < y.edited ? 1 : -1) * (ascending ? -1 : 1));
        const pageOf = paginate(hits, b.start_cursor, b.page_size, 'body');
        return { object: 'list', type: 'page_or_data_source', page_or_data_source: {}, ...pageOf, results: pageOf.results.map((h) => h.toJson()) };
      },
    },
  ];

  // ---- HTTP --------------------------------------------------------------------------------------------------

  function sendError(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
    const requestId = randomUUID();
    sendJson(res, status, { object: 'error', status, code, message, request_id: requestId }, { 'x-notion-request-id': requestId, ...headers });
  }

  function overRateLimit(): boolean {
    const limit = fake.rateLimitPerSecond;
    if (!limit) return false;
    const t = Date.now();
    recentRequests = recentRequests.filter((at) => t - at < 1000);
    if (recentRequests.length >= limit) return true;
    recentRequests.push(t);
    return false;
  }

  function authorized(header: string | undefined): boolean {
    const token = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
    if (!token) return false;
    return fake.acceptAnyKey || fake.validTokens.has(token);
  }

  const server = await startServer(async (req, res, logged) => {
    requests.push(logged);
    await sleep(fake.latencyMs);
    if (overRateLimit()) {
      rateLimitedCount++;
      sendError(res, 429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.', { 'retry-after': '1' });
      return;
    }
    const injected = failures.take((match) => (!match.method || match.method.toUpperCase() === logged.method) && match.path.test(logged.path));
    if (injected) {
      sendError(res, injected.status, injected.code, injected.message, injected.headers);
      return;
    }
    if (!authorized(req.headers.authorization)) {
      sendError(res, 401, 'unauthorized', 'API token is invalid.');
      return;
    }
    if (!req.headers['notion-version']) {
      sendError(res, 400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.');
      return;
    }
    const candidates = routes.filter((r) => r.pattern.test(logged.path));
    const route = candidates.find((r) => r.method === logged.method);
    if (!route) {
      if (candidates.length) sendError(res, 400, 'invalid_request', `Unsupported request: ${logged.method} ${logged.path}.`);
      else sendError(res, 400, 'invalid_request_url', 'Invalid request URL.');
      return;
    }
    if (typeof logged.body === 'string') {
      sendError(res, 400, 'invalid_json', 'Error parsing JSON body.');
      return;
    }
    try {
      const result = route.run(logged.path.match(route.pattern)!, logged);
      sendJson(res, 200, result, { 'x-notion-request-id': randomUUID() });
    } catch (err) {
      if (err instanceof NotionError) sendError(res, err.status, err.code, err.message);
      else if (err instanceof ValidationError) sendError(res, 400, 'validation_error', err.message);
      else throw err;
    }
  }, options.port);

  const fake: NotionFake = {
    url: server.url,
    close: () => server.close(),
    validTokens: new Set(initialTokens),
    acceptAnyKey: options.acceptAnyKey ?? false,
    botName: 'Visen Fake',
    workspaceName: 'Fake Workspace',
    latencyMs: options.latencyMs ?? 0,
    rateLimitPerSecond: options.rateLimitPerSecond,
    get rateLimitedCount() {
      return rateLimitedCount;
    },
    requests,
    addPage(opts) {
      const parent: FakePage['parent'] = opts.parentPageId ? { type: 'page_id', pageId: normalizeId(opts.parentPageId) ?? opts.parentPageId } : { type: 'workspace' };
      return createPage({ title: opts.title, parent, shared: opts.shared, id: opts.id, blocks: opts.markdown ? markdownToBlocks(opts.markdown) : [] });
    },
    addDatabase(opts) {
      const properties = schemaFromRequest(opts.properties, 'properties');
      const db = createDatabase({ title: opts.title, properties, shared: opts.shared, parentPageId: opts.parentPageId && normalizeId(opts.parentPageId) });
      for (const row of opts.rows ?? []) {
        const titleName = Object.values(properties).find((p) => p.type === 'title')!.name;
        const page = createPage({ title: String(row[titleName] ?? ''), parent: { type: 'data_source_id', dataSourceId: db.dataSourceId, databaseId: db.id }, shared: db.shared });
        for (const [name, value] of Object.entries(row)) {
          const schema = properties[name];
          if (!schema) throw new Error(`addDatabase: row has unknown property ${name}`);
          if (schema.type === 'title') continue;
          page.properties[name] = propertyValueFromRequest(schema, { [schema.type]: simpleToRequest(schema.type, value) }, name);
        }
      }
      return db;
    },
    page: (id) => {
      const key = normalizeId(id);
      return key ? pages.get(key) : undefined;
    },
    database: (id) => {
      const key = normalizeId(id);
      return key ? databases.get(key) ?? dataSources.get(key) : undefined;
    },
    pageMarkdown(id) {
      const page = fake.page(id);
      if (!page) throw new Error(`no page ${id}`);
      return markdownOf(page);
    },
    pageBlocks(id) {
      const page = fake.page(id);
      if (!page) throw new Error(`no page ${id}`);
      return liveBlocks(page.blocks).map((b) => blockResponse(b, { type: 'page_id', page_id: page.id }));
    },
    failNext(match, response, times = 1) {
      failures.add(match, response, times);
    },
    reset() {
      pages.clear();
      databases.clear();
      dataSources.clear();
      failures.clear();
      requests.length = 0;
      recentRequests = [];
      rateLimitedCount = 0;
      fake.validTokens = new Set(initialTokens);
    },
  };
  return fake;
}

function simpleToRequest(type: string, value: RowValue): unknown {
  switch (type) {
    case 'rich_text':
      return value === null ? [] : [{ text: { content: String(value) } }];
    case 'select':
    case 'status':
      return value === null ? null : { name: String(value) };
    case 'multi_select':
      return (Array.isArray(value) ? value : value === null ? [] : String(value).split(',')).map((name) => ({ name: name.trim() }));
    case 'date':
      return value === null ? null : { start: String(value) };
    default:
      return value;
  }
}
