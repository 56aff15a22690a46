// State of the Notion stand-in and the helpers every route uses: lookups, response builders, pagination and
// creation of pages and databases. Routes live in notionRoutes*.ts; the HTTP server and test API in notionFake.ts.
import { randomUUID } from 'node:crypto';
import type {
  BlockObjectResponse,
  DatabaseObjectResponse,
  DataSourceObjectResponse,
  PageObjectResponse,
  RichTextItemResponse,
} from '@notionhq/client';
import {
  type BlockParent,
  actor,
  type StoredBlock,
  blockResponse,
  blocksToMarkdown,
  formatId,
  liveChildren,
  markdownToBlocks,
  minuteNow,
  schemaError,
  textItem,
  type MarkdownVersion,
} from './notionContent';

export type PageMarkdownResponse = {
  object: 'page_markdown';
  id: string;
  markdown: string;
  truncated: boolean;
  unknown_block_ids: string[];
};
export type PropertyValue = Record<string, unknown> & { id: string; type: string };
export type PropertySchema = { id: string; name: string; type: string; config: unknown };

export interface FakePage {
  readonly id: string;
  title: string;
  url: string;
  shared: boolean;
  /** false → the token's person cannot open it either (someone else's private page): hidden in PAT mode too. */
  personAccess: boolean;
  inTrash: boolean;
  parent:
    { type: 'page_id'; pageId: string } | { type: 'data_source_id'; dataSourceId: string; databaseId: string } | { type: 'workspace' };
  /** Non-title property values of database rows, in response form. */
  properties: Record<string, PropertyValue>;
  /** Top-level blocks in order, trashed ones included (see StoredBlock.inTrash). */
  blocks: StoredBlock[];
  icon: unknown;
  cover: unknown;
  createdTime: string;
  lastEditedTime: string;
  createdBy: string;
  lastEditedBy: string;
}

export interface FakeDatabase {
  readonly id: string;
  readonly dataSourceId: string;
  title: string;
  url: string;
  shared: boolean;
  personAccess: boolean;
  inTrash: boolean;
  parentPageId?: string;
  properties: Record<string, PropertySchema>;
  createdTime: string;
  lastEditedTime: string;
  createdBy: string;
}

export interface FakeComment {
  id: string;
  text: string;
  createdTime: string;
  createdBy: string;
}

export interface Store {
  pages: Map<string, FakePage>;
  databases: Map<string, FakeDatabase>;
  dataSources: Map<string, FakeDatabase>;
  /** Comments by block id: they live as long as the block id does (trash and restore keep them). */
  comments: Map<string, FakeComment[]>;
  /** Records a markdown read loads before it is truncated (notionMarkdownLimit.ts); Notion's ~20,000 when unset. */
  markdownRecordLimit?: number;
}

export const newStore = (): Store => ({ pages: new Map(), databases: new Map(), dataSources: new Map(), comments: new Map() });

export class NotionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (kind: string, id: string) =>
  new NotionError(
    404,
    'object_not_found',
    `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
export const invalid = (message: string) => new NotionError(400, 'validation_error', message);
/** Notion's answer to edits of (and appends to, and deletes of) anything in the trash. */
export const ARCHIVED = "Can't edit block that is archived. You must unarchive the block before editing.";

/** Accepts dashed or undashed ids, any case; returns the canonical dashed lowercase form. */
export function normalizeId(raw: string): string | undefined {
  const hex = decodeURIComponent(raw).replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(hex) ? formatId(hex) : undefined;
}

export function notionUrl(title: string, id: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const hex = id.replace(/-/g, '');
  return `https://www.notion.so/${slug ? `${slug}-` : ''}${hex}`;
}

export const now = minuteNow;
export const touch = (s: Store, page: FakePage) => {
  page.lastEditedTime = now();
  page.lastEditedBy = actor().id;
};

/** An integration sees what is shared with it; a personal access token what its person can open (see Actor). */
export const visiblePage = (page: FakePage | undefined): page is FakePage =>
  !!page && (actor().kind === 'person' ? page.personAccess : page.shared);
export const visibleDb = (db: FakeDatabase | undefined): db is FakeDatabase =>
  !!db && (actor().kind === 'person' ? db.personAccess : db.shared);

export const renderCtx = (s: Store) => ({
  urlOf: (id: string) => s.pages.get(id)?.url ?? s.databases.get(id)?.url ?? notionUrl('', id),
});

/** Trashed blocks, and child page/database blocks whose target is in the trash, disappear from content. */
export const liveBlocks = (s: Store, blocks: StoredBlock[]) =>
  liveChildren(blocks).filter((b) => {
    if (b.type === 'child_page') return !s.pages.get(b.id)?.inTrash;
    if (b.type === 'child_database') return !s.databases.get(b.id)?.inTrash;
    return true;
  });

export const markdownOf = (s: Store, page: FakePage) => blocksToMarkdown(liveBlocks(s, page.blocks), renderCtx(s));

// ---- lookups ----------------------------------------------------------------------------------------------

export function idParam(raw: string, name: string): string {
  const id = normalizeId(raw);
  if (!id) throw invalid(`path failed validation: path.${name} should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`);
  return id;
}

export function requirePage(s: Store, raw: string, name = 'page_id'): FakePage {
  const id = idParam(raw, name);
  const page = s.pages.get(id);
  if (visiblePage(page)) return page;
  if (visibleDb(s.databases.get(id)) || visibleDb(s.dataSources.get(id))) {
    throw invalid(`Provided ID ${id} is a database, not a page. Use the retrieve database API instead, or provide a page ID.`);
  }
  throw notFound('page', id);
}

export function requireDatabase(s: Store, raw: string): FakeDatabase {
  const id = idParam(raw, 'database_id');
  const db = s.databases.get(id);
  if (visibleDb(db)) return db;
  if (visiblePage(s.pages.get(id))) {
    throw invalid(`Provided ID ${id} is a page, not a database. Use the retrieve page API instead, or provide a database ID.`);
  }
  throw notFound('database', id);
}

export function requireDataSource(s: Store, raw: string): FakeDatabase {
  const id = idParam(raw, 'data_source_id');
  const db = s.dataSources.get(id);
  if (visibleDb(db)) return db;
  if (visibleDb(s.databases.get(id))) {
    throw invalid(`Provided ID ${id} is a database, not a data source. Use the data source IDs listed in the database's data_sources.`);
  }
  throw notFound('data_source', id);
}

export type Located = { block: StoredBlock; page: FakePage; chain: StoredBlock[]; siblings: StoredBlock[] };

/** True when the block, one of its ancestors or its page is in the trash. */
export const trashed = (found: Located): boolean => found.page.inTrash || !!found.block.inTrash || found.chain.some((b) => b.inTrash);

/** Finds a block anywhere in a visible page, trashed ones too; `chain` is its ancestor blocks from the top level down. */
export function locateBlock(s: Store, id: string): Located | undefined {
  const walk = (blocks: StoredBlock[], page: FakePage, chain: StoredBlock[]): Located | undefined => {
    for (const block of blocks) {
      if (block.id === id && block.type !== 'child_page') return { block, page, chain, siblings: blocks };
      const found = walk(block.children, page, [...chain, block]);
      if (found) return found;
    }
    return undefined;
  };
  for (const page of s.pages.values()) {
    if (!visiblePage(page)) continue;
    const found = walk(page.blocks, page, []);
    if (found) return found;
  }
  return undefined;
}

// ---- response builders -------------------------------------------------------------------------------------

const user = (id: string) => ({ object: 'user', id }) as const;

export function emptyValue(type: string): unknown {
  if (type === 'title' || type === 'rich_text' || type === 'multi_select' || type === 'people' || type === 'files' || type === 'relation')
    return [];
  if (type === 'checkbox') return false;
  return null;
}

/**
 * `filter_properties` (query parameter of Retrieve a page and Query a data source): only the properties whose ids
 * are listed. Without it, Search and Query under 2026-12-01 return only the title ("On 2026-12-01, Search and
 * Query a data source return only the title in each page's properties unless you pass filter_properties";
 * Upgrade guide 2026-12-01); earlier versions, and Retrieve a page under any, return every property.
 */
export type PropertyFilter = { readonly ids: readonly string[] } | 'all' | 'titleOnly';

export function propertyFilter(query: Record<string, string | string[]>, list: boolean, version: string): PropertyFilter {
  const raw = query.filter_properties;
  if (raw !== undefined) return { ids: Array.isArray(raw) ? raw : [raw] };
  return list && version >= '2026-12-01' ? 'titleOnly' : 'all';
}

export function pageResponse(s: Store, page: FakePage, filter: PropertyFilter = 'all'): PageObjectResponse {
  const properties: Record<string, unknown> = {};
  if (page.parent.type === 'data_source_id') {
    const db = s.dataSources.get(page.parent.dataSourceId);
    for (const schema of Object.values(db?.properties ?? {})) {
      properties[schema.name] =
        schema.type === 'title'
          ? { id: 'title', type: 'title', title: titleRichText(page.title) }
          : (page.properties[schema.name] ?? { id: schema.id, type: schema.type, [schema.type]: emptyValue(schema.type) });
    }
  } else {
    properties.title = { id: 'title', type: 'title', title: titleRichText(page.title) };
  }
  for (const [name, value] of Object.entries(properties)) {
    const id = (value as { id: string }).id;
    const keep =
      filter === 'all' ||
      (filter === 'titleOnly' ? id === 'title' : filter.ids.some((wanted) => decodeURIComponent(wanted) === decodeURIComponent(id)));
    if (!keep) delete properties[name];
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
    created_by: user(page.createdBy),
    last_edited_by: user(page.lastEditedBy),
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
  for (const p of Object.values(db.properties))
    out[p.name] = { id: p.id, name: p.name, description: null, type: p.type, [p.type]: p.config };
  return out as DataSourceObjectResponse['properties'];
}

const dbParent = (db: FakeDatabase): DatabaseObjectResponse['parent'] =>
  db.parentPageId ? { type: 'page_id', page_id: db.parentPageId } : { type: 'workspace', workspace: true };

export function databaseResponse(db: FakeDatabase): DatabaseObjectResponse {
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

export function dataSourceResponse(db: FakeDatabase): DataSourceObjectResponse {
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
    created_by: user(db.createdBy),
    last_edited_by: user(db.createdBy),
    properties: schemaResponse(db),
    icon: null,
    cover: null,
    url: db.url,
    public_url: null,
  };
}

export const blockParentFor = (page: FakePage, chain: StoredBlock[]): BlockParent =>
  chain.length ? { type: 'block_id', block_id: chain[chain.length - 1].id } : { type: 'page_id', page_id: page.id };

export function childPageBlock(page: FakePage, inTrash = page.inTrash): BlockObjectResponse {
  const parent: BlockParent =
    page.parent.type === 'page_id' ? { type: 'page_id', page_id: page.parent.pageId } : { type: 'page_id', page_id: page.id };
  const block: StoredBlock = {
    ...linkBlock(page.id, 'child_page', page.title, page.createdTime),
    children: page.blocks,
    lastEditedTime: page.lastEditedTime,
  };
  return blockResponse(block, parent, inTrash);
}

export function markdownResponse(s: Store, page: FakePage): PageMarkdownResponse {
  return { object: 'page_markdown', id: page.id, markdown: markdownOf(s, page), truncated: false, unknown_block_ids: [] };
}

/**
 * `markdown_version` (Migrate to Notion-flavored Markdown (v2), step 1): "v1" (default) or "v2". Under
 * Notion-Version 2026-12-01 "`v2` is the default, and `"v1"` returns an error" (Upgrade guide 2026-12-01).
 */
export function markdownVersion(value: unknown, path: string, notionVersion = ''): MarkdownVersion {
  const from20261201 = notionVersion >= '2026-12-01';
  if (value === 'v1' && from20261201)
    throw schemaError(path, 'should be `"v2"`: Notion-flavored Markdown v1 is not available from Notion-Version 2026-12-01.');
  if (value === undefined || value === 'v1' || value === 'v2') return (value ?? (from20261201 ? 'v2' : 'v1')) as MarkdownVersion;
  throw schemaError(path, `should be \`"v1"\` or \`"v2"\`, instead was \`${JSON.stringify(value)}\`.`);
}

// ---- pagination --------------------------------------------------------------------------------------------

export function paginate<T extends { id: string }>(items: T[], startCursor: unknown, pageSizeRaw: unknown, where: 'body' | 'query') {
  const pageSize = pageSizeRaw === undefined || pageSizeRaw === null ? 100 : Number(pageSizeRaw);
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw schemaError(`${where}.page_size`, `should be a positive integer, instead was \`${JSON.stringify(pageSizeRaw)}\`.`);
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

// ---- creation helpers --------------------------------------------------------------------------------------

/** The block standing for a child page or database in its parent page. */
const linkBlock = (id: string, type: 'child_page' | 'child_database', title: string, time: string): StoredBlock => ({
  id,
  type,
  data: { title },
  children: [],
  createdTime: time,
  lastEditedTime: time,
  createdBy: actor().id,
  lastEditedBy: actor().id,
});

export function createPage(
  s: Store,
  init: { title: string; parent: FakePage['parent']; shared?: boolean; personAccess?: boolean; id?: string; blocks?: StoredBlock[] },
): FakePage {
  const id = init.id ? normalizeId(init.id) : randomUUID();
  if (!id) throw new Error(`invalid page id: ${init.id}`);
  const time = now();
  const page: FakePage = {
    id,
    title: init.title,
    url: notionUrl(init.title, id),
    shared: init.shared ?? true,
    personAccess: init.personAccess ?? true,
    inTrash: false,
    parent: init.parent,
    properties: {},
    blocks: init.blocks ?? [],
    icon: null,
    cover: null,
    createdTime: time,
    lastEditedTime: time,
    createdBy: actor().id,
    lastEditedBy: actor().id,
  };
  s.pages.set(id, page);
  if (init.parent.type === 'page_id') {
    const parent = s.pages.get(init.parent.pageId);
    if (parent) {
      parent.blocks.push(linkBlock(id, 'child_page', page.title, time));
      touch(s, parent);
    }
  }
  return page;
}

export function createDatabase(
  s: Store,
  init: { title: string; properties: Record<string, PropertySchema>; parentPageId?: string; shared?: boolean; personAccess?: boolean },
): FakeDatabase {
  const id = randomUUID();
  const time = now();
  const db: FakeDatabase = {
    id,
    dataSourceId: randomUUID(),
    title: init.title,
    url: notionUrl('', id),
    shared: init.shared ?? true,
    personAccess: init.personAccess ?? true,
    inTrash: false,
    parentPageId: init.parentPageId,
    properties: init.properties,
    createdTime: time,
    lastEditedTime: time,
    createdBy: actor().id,
  };
  s.databases.set(db.id, db);
  s.dataSources.set(db.dataSourceId, db);
  const parent = init.parentPageId ? s.pages.get(init.parentPageId) : undefined;
  if (parent) parent.blocks.push(linkBlock(id, 'child_database', db.title, time));
  return db;
}

/** Content from markdown; without an explicit title the first `# heading` becomes it, as Notion does. */
export function contentFromMarkdown(
  markdown: string,
  title: string | undefined,
  version: MarkdownVersion = 'v1',
): { title: string; blocks: StoredBlock[] } {
  const blocks = markdownToBlocks(markdown, version);
  if (title === undefined && blocks[0]?.type === 'heading_1') {
    const [first, ...rest] = blocks;
    return { title: (first.data.rich_text as RichTextItemResponse[]).map((r) => r.plain_text).join(''), blocks: rest };
  }
  return { title: title ?? '', blocks };
}

export const rows = (s: Store, db: FakeDatabase) =>
  [...s.pages.values()].filter(
    (p) => visiblePage(p) && !p.inTrash && p.parent.type === 'data_source_id' && p.parent.dataSourceId === db.dataSourceId,
  );
