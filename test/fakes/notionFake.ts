// Loopback stand-in for api.notion.com (/v1), speaking the wire format @notionhq/client 5.x expects:
// the HTTP server, fault injection and the test API. State and helpers: notionStore.ts; routes: notionRoutes*.ts;
// content (Notion-flavored Markdown, block validation): notionContent.ts. See /work/shared/reference/wire-protocols.md §1, §5.
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import type { BlockObjectResponse, UserObjectResponse } from '@notionhq/client';
import {
  type Actor,
  BOT_ACTOR,
  BOT_USER_ID,
  PAT_USER_ID,
  PERSON_USER_ID,
  type StoredBlock,
  actingAs,
  ValidationError,
  blockResponse,
  markdownToBlocks,
  minuteNow,
  notionNow,
  standInClock,
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
import { checkBodyKeys, checkRetryAfter, unknownVersionMessage } from './notionValidation';
import { FailureQueue, type Fault, type LoggedRequest, dropConnection, sendJson, sleep, startServer } from './server';

export { type FakeDatabase, type FakePage } from './notionStore';
export { BOT_USER_ID, PAT_USER_ID, PERSON_USER_ID } from './notionContent';

/**
 * What the stand-in's tokens are: the secret of an internal integration (a bot that sees only what is shared
 * with it), or a personal access token (a person who sees every page they can open). Unset, it is read from
 * VISEN_NOTION_TOKEN_KIND ('integration' or 'pat'), so a suite can run once per kind.
 */
type NotionTokenKind = 'integration' | 'pat';

function defaultTokenKind(): NotionTokenKind {
  const kind = process.env.VISEN_NOTION_TOKEN_KIND;
  if (kind === undefined || kind === '' || kind === 'integration') return 'integration';
  if (kind === 'pat') return 'pat';
  throw new Error(`VISEN_NOTION_TOKEN_KIND must be "integration" or "pat", not "${kind}"`);
}

/** An injected answer: an error response (`kind` omitted or 'status'), or a dropped connection (see server.ts Fault). */
export type NotionFailure =
  | { kind?: 'status'; status: number; code: string; message: string; headers?: Record<string, string>; then?: () => void }
  | Exclude<Fault, { kind: 'status' }>;

/** A stored block as the API returns it, with its live children, recursively. */
export type BlockTree = BlockObjectResponse & { children: BlockTree[] };

export interface NotionFakeOptions {
  validTokens?: string[];
  /** Demo mode: any non-empty bearer token is accepted. */
  acceptAnyKey?: boolean;
  rateLimitPerSecond?: number;
  /** Retry-After (whole seconds, 0–60) of the 429s `rateLimitPerSecond` causes; 1 when unset. */
  rateLimitRetryAfterSeconds?: number;
  /** Records a markdown read loads before Notion truncates it (notionMarkdownLimit.ts); about 20,000 when unset. */
  markdownRecordLimit?: number;
  latencyMs?: number;
  port?: number;
  /** Default: defaultTokenKind(). */
  tokenKind?: NotionTokenKind;
}

interface AddPageOptions {
  title: string;
  markdown?: string;
  /** false → the integration can't see it (404 object_not_found), like pages not shared with it. A PAT still does. */
  shared?: boolean;
  /** false → the PAT's person cannot open it either (someone else's private page): 404 in both kinds. */
  personAccess?: boolean;
  parentPageId?: string;
  id?: string;
}

type RowValue = string | number | boolean | string[] | null;

interface AddDatabaseOptions {
  title: string;
  /** Property configs in request form, e.g. `{ Name: { title: {} }, Author: { rich_text: {} } }`. */
  properties?: Record<string, Record<string, unknown>>;
  shared?: boolean;
  personAccess?: boolean;
  parentPageId?: string;
  /** Rows as simple values keyed by property name, e.g. `{ Name: 'Dune', Done: true }`. */
  rows?: Array<Record<string, RowValue>>;
}

export interface NotionFake {
  readonly url: string;
  close(): Promise<void>;
  validTokens: Set<string>;
  acceptAnyKey: boolean;
  /** What every token is; switchable between tests. */
  tokenKind: NotionTokenKind;
  botName: string;
  /** The PAT's person, as users/me returns it in PAT mode. */
  personName: string;
  workspaceName: string;
  latencyMs: number;
  /**
   * How far Notion's clock is from this machine's (ms; negative: Notion's is behind, i.e. the local clock is
   * ahead). Block times and the `Date` header of every answer follow Notion's clock, as the service's do.
   */
  clockSkewMs: number;
  rateLimitPerSecond: number | undefined;
  rateLimitRetryAfterSeconds: number;
  /** Records a markdown read loads before it is truncated (`truncated: true`, `unknown_block_ids`). */
  markdownRecordLimit: number | undefined;
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
  /**
   * A person adds blocks in the Notion app: `markdown` (Notion-flavored) becomes blocks at the end of the page or
   * block `parentId`, created and last edited by PERSON_USER_ID. Returns their ids.
   */
  appendAsUser(parentId: string, markdown: string): string[];
  /** A person (a colleague, PERSON_USER_ID) edits a block in the Notion app: its rich text becomes `newText`. */
  editBlockAsUser(blockId: string, newText: string): void;
  /** A person comments on a block; comments are kept by block id. */
  addComment(blockId: string, text: string): FakeComment;
  comments(blockId: string): FakeComment[];
  /**
   * The next `times` requests matching `match` fail: with an error response (`{status, code, message}`), with the
   * connection reset before anything is applied (`{kind:'reset'}`), or applied and then dropped without an answer
   * (`{kind:'applyThenDrop'}`). `then` runs once the fault has happened (after applying, for applyThenDrop).
   */
  failNext(match: { method?: string; path: RegExp }, response: NotionFailure, times?: number): void;
  /**
   * Notion rate limits the integration for `retryAfterSeconds` (0–60): every request until then gets 429
   * `rate_limited` with `Retry-After` counting down (reference/request-limits).
   */
  rateLimitFor(retryAfterSeconds: number): void;
  reset(): void;
}

export async function startNotionFake(options: NotionFakeOptions = {}): Promise<NotionFake> {
  const initialTokens = options.validTokens ?? ['secret_fake_notion'];
  const s = newStore();
  s.markdownRecordLimit = options.markdownRecordLimit;
  const failures = new FailureQueue<{ method?: string; path: RegExp }, NotionFailure>();
  const requests: LoggedRequest[] = [];
  /** The rate limit's bucket: requests it would take now, and when it was last filled. */
  let bucket: { tokens: number; at: number } | undefined;
  let rateLimitedCount = 0;
  let limitedUntil = 0;
  const workspaceId = randomUUID();

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/v1\/users\/me$/,
      // "For personal access tokens, this endpoint returns the user who created the token" (reference/get-self):
      // a person, whose object carries no workspace.
      run: (): UserObjectResponse =>
        fake.tokenKind === 'pat'
          ? {
              object: 'user',
              id: PAT_USER_ID,
              name: fake.personName,
              avatar_url: null,
              type: 'person',
              person: { email: 'ada@example.com' },
            }
          : {
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
            },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/users$/,
      run: () => {
        // "List all users is not available to PATs" (guides/get-started/personal-access-tokens).
        if (fake.tokenKind === 'pat')
          throw new NotionError(403, 'restricted_resource', 'List all users is not available to personal access tokens.');
        const people = [
          {
            object: 'user',
            id: PERSON_USER_ID,
            name: 'Grace Hopper',
            avatar_url: null,
            type: 'person',
            person: { email: 'grace@example.com' },
          },
          { object: 'user', id: BOT_USER_ID, name: fake.botName, avatar_url: null, type: 'bot', bot: {} },
        ];
        return { object: 'list', type: 'user', user: {}, results: people, next_cursor: null, has_more: false };
      },
    },
    ...pageRoutes(s),
    ...blockRoutes(s),
    ...dataRoutes(s),
  ];

  // ---- HTTP --------------------------------------------------------------------------------------------------

  function sendError(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
    const requestId = randomUUID();
    sendJson(
      res,
      status,
      { object: 'error', status, code, message, request_id: requestId },
      { 'x-notion-request-id': requestId, ...headers },
    );
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

  standInClock.skewMs = 0;
  const server = await startServer(async (req, res, logged) => {
    requests.push(logged);
    // Every answer of the service carries its own time (RFC 9110 §6.6.1), on Notion's clock.
    res.setHeader('date', new Date(notionNow()).toUTCString());
    await sleep(fake.latencyMs);
    const limitedFor = Math.ceil((limitedUntil - Date.now()) / 1000);
    if (limitedFor > 0 || overRateLimit()) {
      rateLimitedCount++;
      const retryAfter = limitedFor > 0 ? limitedFor : fake.rateLimitRetryAfterSeconds;
      sendError(res, 429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.', {
        'retry-after': String(retryAfter),
      });
      return;
    }
    const injected = failures.take(
      (match) => (!match.method || match.method.toUpperCase() === logged.method) && match.path.test(logged.path),
    );
    if (injected?.kind === 'reset') {
      injected.then?.();
      dropConnection(res);
      return;
    }
    if (injected?.kind === 'hang') {
      injected.then?.();
      return;
    }
    if (injected && (injected.kind === undefined || injected.kind === 'status')) {
      injected.then?.();
      sendError(res, injected.status, injected.code, injected.message, injected.headers);
      return;
    }
    const send = (status: number, json: () => void) => {
      injected?.then?.();
      if (injected?.kind === 'applyThenDrop') dropConnection(res);
      else if (injected?.kind === 'stallBody') stall(res, status);
      else json();
    };
    if (!authorized(req.headers.authorization)) {
      send(401, () => sendError(res, 401, 'unauthorized', 'API token is invalid.'));
      return;
    }
    if (!req.headers['notion-version']) {
      send(400, () =>
        sendError(
          res,
          400,
          'missing_version',
          'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
        ),
      );
      return;
    }
    const versionProblem = unknownVersionMessage(String(req.headers['notion-version']));
    if (versionProblem) {
      send(400, () => sendError(res, 400, 'validation_error', versionProblem));
      return;
    }
    const candidates = routes.filter((r) => r.pattern.test(logged.path));
    const route = candidates.find((r) => r.method === logged.method);
    if (!route) {
      if (candidates.length)
        send(400, () => sendError(res, 400, 'invalid_request', `Unsupported request: ${logged.method} ${logged.path}.`));
      else send(400, () => sendError(res, 400, 'invalid_request_url', 'Invalid request URL.'));
      return;
    }
    if (typeof logged.body === 'string') {
      send(400, () => sendError(res, 400, 'invalid_json', 'Error parsing JSON body.'));
      return;
    }
    try {
      checkBodyKeys(logged.method, logged.path, logged.body);
      const who: Actor = fake.tokenKind === 'pat' ? { kind: 'person', id: PAT_USER_ID } : BOT_ACTOR;
      const result = actingAs(who, () => route.run(logged.path.match(route.pattern)!, logged));
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
    // The test API sees every page, shared or not.
    const found = actingAs({ kind: 'person', id: PERSON_USER_ID }, () => locateBlock(s, normalizeId(blockId) ?? blockId));
    if (!found) throw new Error(`no block ${blockId}`);
    return found;
  };

  const fake: NotionFake = {
    url: server.url,
    close: () => {
      standInClock.skewMs = 0;
      return server.close();
    },
    validTokens: new Set(initialTokens),
    acceptAnyKey: options.acceptAnyKey ?? false,
    tokenKind: options.tokenKind ?? defaultTokenKind(),
    botName: 'Visen Fake',
    personName: 'Ada Lovelace',
    workspaceName: 'Fake Workspace',
    latencyMs: options.latencyMs ?? 0,
    get clockSkewMs() {
      return standInClock.skewMs;
    },
    set clockSkewMs(ms) {
      standInClock.skewMs = ms;
    },
    rateLimitPerSecond: options.rateLimitPerSecond,
    rateLimitRetryAfterSeconds: checkRetryAfter(options.rateLimitRetryAfterSeconds ?? 1),
    get markdownRecordLimit() {
      return s.markdownRecordLimit;
    },
    set markdownRecordLimit(limit) {
      s.markdownRecordLimit = limit;
    },
    get rateLimitedCount() {
      return rateLimitedCount;
    },
    requests,
    addPage(opts) {
      const parent: FakePage['parent'] = opts.parentPageId
        ? { type: 'page_id', pageId: normalizeId(opts.parentPageId) ?? opts.parentPageId }
        : { type: 'workspace' };
      return createPage(s, {
        title: opts.title,
        parent,
        shared: opts.shared,
        personAccess: opts.personAccess,
        id: opts.id,
        blocks: opts.markdown ? markdownToBlocks(opts.markdown) : [],
      });
    },
    addDatabase(opts) {
      const properties = schemaFromRequest(opts.properties, 'properties');
      const db = createDatabase(s, {
        title: opts.title,
        properties,
        shared: opts.shared,
        personAccess: opts.personAccess,
        parentPageId: opts.parentPageId && normalizeId(opts.parentPageId),
      });
      for (const row of opts.rows ?? []) {
        const titleName = Object.values(properties).find((p) => p.type === 'title')!.name;
        const page = createPage(s, {
          title: String(row[titleName] ?? ''),
          parent: { type: 'data_source_id', dataSourceId: db.dataSourceId, databaseId: db.id },
          shared: db.shared,
          personAccess: db.personAccess,
        });
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
      return key ? (s.databases.get(key) ?? s.dataSources.get(key)) : undefined;
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
    appendAsUser(parentId, markdown) {
      const id = normalizeId(parentId) ?? parentId;
      const page = s.pages.get(id);
      const found = page ? undefined : requireBlock(id);
      const blocks = markdownToBlocks(markdown);
      const byPerson = (b: StoredBlock): void => {
        b.createdBy = b.lastEditedBy = PERSON_USER_ID;
        b.children.forEach(byPerson);
      };
      blocks.forEach(byPerson);
      if (page) {
        page.blocks.push(...blocks);
        touch(s, page);
      } else {
        found!.block.children.push(...blocks);
        touch(s, found!.page);
      }
      return blocks.map((b) => b.id);
    },
    editBlockAsUser(blockId, newText) {
      const found = requireBlock(blockId);
      if (!Array.isArray(found.block.data.rich_text)) throw new Error(`block ${blockId} (${found.block.type}) has no rich text`);
      found.block.data = { ...found.block.data, rich_text: newText ? [textItem(newText)] : [] };
      found.block.lastEditedBy = PERSON_USER_ID;
      found.block.lastEditedTime = minuteNow();
      actingAs({ kind: 'person', id: PERSON_USER_ID }, () => touch(s, found.page));
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
    rateLimitFor(retryAfterSeconds) {
      limitedUntil = Date.now() + checkRetryAfter(retryAfterSeconds) * 1000;
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
      limitedUntil = 0;
      s.markdownRecordLimit = options.markdownRecordLimit;
      fake.validTokens = new Set(initialTokens);
      fake.tokenKind = options.tokenKind ?? defaultTokenKind();
      standInClock.skewMs = 0;
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
