// Loopback stand-in for api.notion.com (/v1), speaking the wire format @notionhq/client 5.x expects:
// the HTTP server, fault injection and the test API. State and helpers: notionStore.ts; routes: notionRoutes*.ts;
// content (Notion-flavored Markdown, block validation): notionContent.ts. See /work/shared/reference/wire-protocols.md §1, §5.
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import type { BlockObjectResponse, UserObjectResponse } from '@notionhq/client';
import {
  BOT_USER_ID,
  PERSON_USER_ID,
  type StoredBlock,
  ValidationError,
  blockResponse,
  markdownToBlocks,
  minuteNow,
  textItem,
} from './notionContent';
import { propertyValueFromRequest, schemaFromRequest } from './notionProperties';
import { type Route } from './notionRoutes';
import { blockRoutes } from './notionRoutesBlocks';
import { dataRoutes } from './notionRoutesData';
import { pageRoutes } from './notionRoutesPages';
import {
  type FakeComment,
  type FakeDatabase,
  type FakePage,
  NotionError,
  createDatabase,
  createPage,
  liveBlocks,
  locateBlock,
  markdownOf,
  newStore,
  normalizeId,
  touch,
} from './notionStore';
import { FailureQueue, type Fault, type LoggedRequest, dropConnection, sendJson, sleep, startServer } from './server';

export { type FakeComment, type FakeDatabase, type FakePage, normalizeId } from './notionStore';
export { BOT_USER_ID, PERSON_USER_ID } from './notionContent';

/** An injected answer: an error response (`kind` omitted or 'status'), or a dropped connection (see server.ts Fault). */
export type NotionFailure = { kind?: 'status'; status: number; code: string; message: string; headers?: Record<string, string> } | Exclude<Fault, { kind: 'status' }>;

/** A stored block as the API returns it, with its live children, recursively. */
export type BlockTree = BlockObjectResponse & { children: BlockTree[] };

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
  /** Seeds a page; `markdown` is read as Notion-flavored Markdown (enhanced markdown, v1), like POST /v1/pages. */
  addPage(options: AddPageOptions): FakePage;
  addDatabase(options: AddDatabaseOptions): FakeDatabase;
  page(id: string): FakePage | undefined;
  database(id: string): FakeDatabase | undefined;
  /** The page as GET /v1/pages/:id/markdown renders it (trashed blocks left out). */
  pageMarkdown(id: string): string;
  /** The page's live top-level blocks as GET /v1/blocks/:id/children returns them. */
  pageBlocks(id: string): BlockObjectResponse[];
  /** The page's live blocks with their live children, recursively: what is stored. */
  blockTree(pageId: string): BlockTree[];
  /** A person edits a block in the Notion app: its rich text becomes `newText`, last edited by PERSON_USER_ID. */
  editBlockAsUser(blockId: string, newText: string): void;
  /** A person comments on a block; comments are kept by block id. */
  addComment(blockId: string, text: string): FakeComment;
  comments(blockId: string): FakeComment[];
  /**
   * The next `times` requests matching `match` fail: with an error response (`{status, code, message}`), with the
   * connection reset before anything is applied (`{kind:'reset'}`), or applied and then dropped without an answer
   * (`{kind:'applyThenDrop'}`).
   */
  failNext(match: { method?: string; path: RegExp }, response: NotionFailure, times?: number): void;
  reset(): void;
}

export async function startNotionFake(options: NotionFakeOptions = {}): Promise<NotionFake> {
  const initialTokens = options.validTokens ?? ['secret_fake_notion'];
  const s = newStore();
  const failures = new FailureQueue<{ method?: string; path: RegExp }, NotionFailure>();
  const requests: LoggedRequest[] = [];
  /** The rate limit's bucket: requests it would take now, and when it was last filled. */
  let bucket: { tokens: number; at: number } | undefined;
  let rateLimitedCount = 0;
  const workspaceId = randomUUID();

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
    ...pageRoutes(s),
    ...blockRoutes(s),
    ...dataRoutes(s),
  ];

  // ---- HTTP --------------------------------------------------------------------------------------------------

  function sendError(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
    const requestId = randomUUID();
    sendJson(res, status, { object: 'error', status, code, message, request_id: requestId }, { 'x-notion-request-id': requestId, ...headers });
  }

  /**
   * Notion's documented limit: "an average of three requests per second … Some bursts beyond the average rate
   * are allowed" (developers.notion.com/reference/request-limits), past it 429 rate_limited with Retry-After.
   * Kept strictly as a token bucket filled at `rateLimitPerSecond` and holding one second's worth: over any
   * stretch of time no more than the average plus a burst of one second's requests; a 429 takes nothing.
   */
  function overRateLimit(): boolean {
    const limit = fake.rateLimitPerSecond;
    if (!limit) return false;
    const t = Date.now();
    bucket ??= { tokens: limit, at: t };
    bucket.tokens = Math.min(limit, bucket.tokens + ((t - bucket.at) * limit) / 1000);
    bucket.at = t;
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  }

  function authorized(header: string | undefined): boolean {
    const token = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
    if (!token) return false;
    return fake.acceptAnyKey || fake.validTokens.has(token);
  }

  /** Headers and the start of a body, then nothing: the client is left reading a body that never ends. */
  function stall(res: http.ServerResponse, status: number): void {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': '4096' });
    res.write('{"object":"list","results":[');
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
    if (injected?.kind === 'reset') {
      dropConnection(res);
      return;
    }
    if (injected?.kind === 'hang') return;
    if (injected && (injected.kind === undefined || injected.kind === 'status')) {
      sendError(res, injected.status, injected.code, injected.message, injected.headers);
      return;
    }
    const send = (status: number, json: () => void) => {
      if (injected?.kind === 'applyThenDrop') dropConnection(res);
      else if (injected?.kind === 'stallBody') stall(res, status);
      else json();
    };
    if (!authorized(req.headers.authorization)) {
      send(401, () => sendError(res, 401, 'unauthorized', 'API token is invalid.'));
      return;
    }
    if (!req.headers['notion-version']) {
      send(400, () => sendError(res, 400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.'));
      return;
    }
    const candidates = routes.filter((r) => r.pattern.test(logged.path));
    const route = candidates.find((r) => r.method === logged.method);
    if (!route) {
      if (candidates.length) send(400, () => sendError(res, 400, 'invalid_request', `Unsupported request: ${logged.method} ${logged.path}.`));
      else send(400, () => sendError(res, 400, 'invalid_request_url', 'Invalid request URL.'));
      return;
    }
    if (typeof logged.body === 'string') {
      send(400, () => sendError(res, 400, 'invalid_json', 'Error parsing JSON body.'));
      return;
    }
    try {
      const result = route.run(logged.path.match(route.pattern)!, logged);
      send(200, () => sendJson(res, 200, result, { 'x-notion-request-id': randomUUID() }));
    } catch (err) {
      if (err instanceof NotionError) send(err.status, () => sendError(res, err.status, err.code, err.message));
      else if (err instanceof ValidationError) send(400, () => sendError(res, 400, 'validation_error', err.message));
      else throw err;
    }
  }, options.port);

  const requirePageOf = (id: string): FakePage => {
    const page = fake.page(id);
    if (!page) throw new Error(`no page ${id}`);
    return page;
  };
  const tree = (blocks: StoredBlock[], parent: Parameters<typeof blockResponse>[1]): BlockTree[] =>
    liveBlocks(s, blocks).map((b) => ({ ...blockResponse(b, parent), children: tree(b.children, { type: 'block_id', block_id: b.id }) }));
  const requireBlock = (blockId: string) => {
    const found = locateBlock(s, normalizeId(blockId) ?? blockId);
    if (!found) throw new Error(`no block ${blockId}`);
    return found;
  };

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
      return createPage(s, { title: opts.title, parent, shared: opts.shared, id: opts.id, blocks: opts.markdown ? markdownToBlocks(opts.markdown) : [] });
    },
    addDatabase(opts) {
      const properties = schemaFromRequest(opts.properties, 'properties');
      const db = createDatabase(s, { title: opts.title, properties, shared: opts.shared, parentPageId: opts.parentPageId && normalizeId(opts.parentPageId) });
      for (const row of opts.rows ?? []) {
        const titleName = Object.values(properties).find((p) => p.type === 'title')!.name;
        const page = createPage(s, { title: String(row[titleName] ?? ''), parent: { type: 'data_source_id', dataSourceId: db.dataSourceId, databaseId: db.id }, shared: db.shared });
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
      return key ? s.pages.get(key) : undefined;
    },
    database: (id) => {
      const key = normalizeId(id);
      return key ? s.databases.get(key) ?? s.dataSources.get(key) : undefined;
    },
    pageMarkdown: (id) => markdownOf(s, requirePageOf(id)),
    pageBlocks(id) {
      const page = requirePageOf(id);
      return liveBlocks(s, page.blocks).map((b) => blockResponse(b, { type: 'page_id', page_id: page.id }));
    },
    blockTree(pageId) {
      const page = requirePageOf(pageId);
      return tree(page.blocks, { type: 'page_id', page_id: page.id });
    },
    editBlockAsUser(blockId, newText) {
      const found = requireBlock(blockId);
      if (!Array.isArray(found.block.data.rich_text)) throw new Error(`block ${blockId} (${found.block.type}) has no rich text`);
      found.block.data = { ...found.block.data, rich_text: newText ? [textItem(newText)] : [] };
      found.block.lastEditedBy = PERSON_USER_ID;
      found.block.lastEditedTime = minuteNow();
      touch(s, found.page);
    },
    addComment(blockId, text) {
      const id = requireBlock(blockId).block.id;
      const comment: FakeComment = { id: randomUUID(), text, createdTime: minuteNow(), createdBy: PERSON_USER_ID };
      s.comments.set(id, [...(s.comments.get(id) ?? []), comment]);
      return comment;
    },
    comments: (blockId) => [...(s.comments.get(normalizeId(blockId) ?? blockId) ?? [])],
    failNext(match, response, times = 1) {
      failures.add(match, response, times);
    },
    reset() {
      s.pages.clear();
      s.databases.clear();
      s.dataSources.clear();
      s.comments.clear();
      failures.clear();
      requests.length = 0;
      bucket = undefined;
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
