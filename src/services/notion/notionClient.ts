import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@notionhq/client';
import { notionSdk } from './sdk';
import type { Logger } from '../logger';
import { NotionClock, registerClock } from './notionClock';
import { registerTokenSlot, TOKEN_KIND_HEADER, type TokenKind } from './tokenIdentity';
import { type Pacing, WindowPacing } from './pacing';
import type { SharedPacing } from './sharedPacing';

/**
 * The Notion API version Visen speaks; pinned so a new SDK default never changes behaviour silently. Every
 * read of page properties passes `filter_properties`, so 2026-12-01 (where Search and Query return only the
 * title without it) answers Visen as 2026-03-11 does: moving to it is this line.
 */
export const NOTION_VERSION = '2026-03-11';

/** The versions Visen is tested against (the stand-in runs the connections database and Fill under each). */
export const NOTION_VERSIONS_TESTED = ['2026-03-11', '2026-12-01'] as const;

/** Notion allows about three requests per second per integration. */
export const NOTION_REQUESTS_PER_SECOND = 3;

/**
 * At most NOTION_REQUESTS_PER_SECOND requests leave in any sliding window of this length: the 5% margin
 * absorbs the jitter between leaving Visen and arriving at Notion.
 */
const NOTION_PACING_WINDOW_MS = 1050;

/**
 * Deadlines of one Notion request, counted from when it leaves the pacing queue: until the response's
 * headers (connecting included), and until the whole body has arrived. Past one, the request is aborted
 * and fails as a timeout, so a stalled connection can never hold a run.
 */
export const NOTION_DEADLINES = { headersMs: 30_000, bodyMs: 60_000 };

/** A Notion request ended by one of Visen's deadlines. */
export class NotionDeadlineError extends Error {
  constructor(
    readonly stage: 'headers' | 'body',
    readonly afterMs: number,
  ) {
    super(`Notion did not ${stage === 'headers' ? 'answer' : 'finish its answer'} within ${Math.round(afterMs / 1000)} s`);
    this.name = 'NotionDeadlineError';
  }
}

/** A Notion request ended because its run was cancelled; `sent` says whether it had left Visen. */
export class NotionAbortError extends Error {
  constructor(readonly sent: boolean) {
    super(sent ? 'Cancelled while Notion was answering' : 'Cancelled before it was sent');
    this.name = 'NotionAbortError';
  }
}

/**
 * The signal of the run a request belongs to. One store for the whole process: this module is one of those
 * every bundle shares (dist/shared.js), so a client built by the extension bundle serves writers in the run bundle.
 */
const runSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs Notion requests for a run that `signal` can cancel: their HTTP requests are aborted at once, ones
 * still waiting for a pacing slot are never sent, and the returned promise rejects as soon as the signal
 * fires, even while the SDK sleeps before a retry.
 */
export function withSignal<T>(signal: AbortSignal | undefined, request: () => Promise<T>): Promise<T> {
  if (!signal) return request();
  if (signal.aborted) return Promise.reject(new NotionAbortError(false));
  const work = runSignal.run(signal, request);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new NotionAbortError(true));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * fetch with Visen's deadlines and the run's signal; the body is read here so a stalled body times out too.
 * The answer carries the kind of the token, when known, for the messages of errors built from it.
 */
async function deadlineFetch(
  url: string,
  init: RequestInit,
  signal: AbortSignal | undefined,
  deadlines = NOTION_DEADLINES,
  kind?: TokenKind,
  clock?: NotionClock,
): Promise<Response> {
  if (signal?.aborted) throw new NotionAbortError(false);
  const controller = new AbortController();
  const onAbort = () => controller.abort(new NotionAbortError(true));
  signal?.addEventListener('abort', onAbort, { once: true });
  let stage: 'headers' | 'body' = 'headers';
  const started = Date.now();
  let timer = setTimeout(() => controller.abort(new NotionDeadlineError('headers', deadlines.headersMs)), deadlines.headersMs);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    clock?.observe(response.headers.get('date'), Date.now());
    stage = 'body';
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new NotionDeadlineError('body', deadlines.bodyMs)),
      Math.max(0, deadlines.bodyMs - (Date.now() - started)),
    );
    const body = await response.arrayBuffer();
    const headers = new Headers(response.headers);
    if (kind) headers.set(TOKEN_KIND_HEADER, kind);
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  } catch (error) {
    const reason: unknown = controller.signal.reason;
    if (reason instanceof NotionDeadlineError || reason instanceof NotionAbortError) throw reason;
    if (controller.signal.aborted) throw new NotionDeadlineError(stage, Date.now() - started);
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export interface NotionClientOptions {
  readonly auth: string;
  /** Empty or undefined = https://api.notion.com. */
  readonly baseUrl?: string;
  readonly logger?: Logger;
  readonly requestsPerSecond?: number;
  /** Visen's deadlines per request (tests shorten them). */
  readonly deadlines?: typeof NOTION_DEADLINES;
  /** What the token acts as, when known (remembered from its check); `whoAmI` learns it otherwise. */
  readonly tokenKind?: TokenKind;
  /** Tests only: another of NOTION_VERSIONS_TESTED. */
  readonly notionVersion?: string;
  /**
   * A folder every window on the machine shares (under `globalStorageUri`): the pacing is then shared by all
   * of them, so two windows together stay under Notion's limit too. Without it, the pacing is this client's.
   */
  readonly sharedPacing?: string;
}

/**
 * A Notion client whose every request, retries included, passes through one pacing gate, so Visen
 * stays under Notion's rate limit however many writes a generation makes. The SDK's own retries
 * (429 with Retry-After, 5xx on reads) stay in charge of failures.
 */
export function createNotionClient(options: NotionClientOptions): Client {
  const perSecond = options.requestsPerSecond ?? NOTION_REQUESTS_PER_SECOND;
  const slot: { kind?: TokenKind } = { kind: options.tokenKind };
  const clock = new NotionClock();
  const send = (url: string, init: RequestInit, signal: AbortSignal | undefined) =>
    deadlineFetch(url, init, signal, options.deadlines, slot.kind, clock);
  const sdk = notionSdk();
  const pacing: Pacing = options.sharedPacing
    ? new (sharedPacingOf(sdk))(options.sharedPacing, `${options.baseUrl ?? ''}\u0000${options.auth}`, perSecond, NOTION_PACING_WINDOW_MS)
    : new WindowPacing(perSecond, NOTION_PACING_WINDOW_MS);
  const pace = (url: string, init: RequestInit, signal: AbortSignal | undefined) => pacing.slot(signal).then(() => send(url, init, signal));
  const log = options.logger;
  const { Client, LogLevel } = sdk;
  const client = new Client({
    auth: options.auth,
    baseUrl: options.baseUrl ? withoutTrailingSlashes(options.baseUrl) : undefined,
    notionVersion: options.notionVersion ?? NOTION_VERSION,
    retry: { maxRetries: 3, initialRetryDelayMs: 500, maxRetryDelayMs: 30_000 },
    // Visen's own deadlines start when a request leaves the pacing; the SDK's would count the wait for a slot.
    timeoutMs: 10 * 60_000,
    // The run's signal is read here, in the caller's async context: the pacing runs the request from another one.
    fetch: (url, init) => pace(String(url), init as RequestInit, runSignal.getStore()) as ReturnType<typeof fetch>,
    logLevel: LogLevel.WARN,
    // The SDK's messages never contain the secret; still, route them to Visen's log, not the console.
    logger: (level, message, extra) => {
      const text = `Notion: ${message} ${describeExtra(extra)}`.trim();
      if (level === LogLevel.ERROR) log?.error(text);
      else if (level === LogLevel.WARN) log?.warn(text);
      else log?.debug(text);
    },
  });
  registerTokenSlot(client, slot);
  registerClock(client, clock);
  return client;
}

/** The shared pacing comes with the SDK's bundle (dist/notion.js, see sdkBundle.ts): activation never loads it. */
function sharedPacingOf(sdk: object): typeof SharedPacing {
  const shared = (sdk as { SharedPacing?: typeof SharedPacing }).SharedPacing;
  if (!shared) throw new Error('The Notion SDK was loaded without the shared pacing (load src/services/notion/sdkBundle).');
  return shared;
}

function describeExtra(extra: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['method', 'path', 'status', 'code', 'attempt', 'delayMs']) {
    if (extra[key] !== undefined) parts.push(`${key}=${String(extra[key])}`);
  }
  return parts.join(' ');
}

/**
 * Clients keyed by secret and base URL, so the pacing queue is shared by everything that talks to the
 * same integration.
 */
export class NotionClients {
  private cached: { key: string; client: Client } | undefined;

  /** `sharedPacing`: the folder every window shares, for one pacing across them (see NotionClientOptions). */
  constructor(
    private readonly logger?: Logger,
    private readonly sharedPacing?: string,
  ) {}

  /** `tokenKind`: what the token acts as, as its check found (messages follow it). */
  get(auth: string, baseUrl?: string, tokenKind?: TokenKind): Client {
    const key = `${baseUrl ?? ''}\u0000${auth}`;
    if (this.cached?.key !== key) {
      this.cached = { key, client: createNotionClient({ auth, baseUrl, logger: this.logger, tokenKind, sharedPacing: this.sharedPacing }) };
    }
    return this.cached.client;
  }
}

/** Linear, unlike /\/+$/ (which retries from every slash of a long run). */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}
