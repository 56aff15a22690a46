import { Client, LogLevel } from '@notionhq/client';
import PQueue from 'p-queue';
import type { Logger } from '../logger';

/** The Notion API version Visen speaks; pinned so a new SDK default never changes behaviour silently. */
export const NOTION_VERSION = '2026-03-11';

/** Notion allows about three requests per second per integration. */
export const NOTION_REQUESTS_PER_SECOND = 3;

export interface NotionClientOptions {
  readonly auth: string;
  /** Empty or undefined = https://api.notion.com. */
  readonly baseUrl?: string;
  readonly logger?: Logger;
  readonly requestsPerSecond?: number;
}

/**
 * A Notion client whose every request, retries included, passes through one pacing queue, so Visen
 * stays under Notion's rate limit however many writes a generation makes. The SDK's own retries
 * (429 with Retry-After, 5xx on reads) stay in charge of failures.
 */
export function createNotionClient(options: NotionClientOptions): Client {
  const perSecond = options.requestsPerSecond ?? NOTION_REQUESTS_PER_SECOND;
  // One request per slot, slots evenly spaced: no burst can put more than `perSecond` requests in any
  // one-second window, which a fixed window of `perSecond` per second would (at its edges). The 10%
  // margin absorbs jitter between leaving here and arriving at Notion.
  const pacing = new PQueue({ intervalCap: 1, interval: Math.ceil(1100 / perSecond), carryoverIntervalCount: true });
  const log = options.logger;
  return new Client({
    auth: options.auth,
    baseUrl: options.baseUrl ? options.baseUrl.replace(/\/+$/, '') : undefined,
    notionVersion: NOTION_VERSION,
    retry: { maxRetries: 3, initialRetryDelayMs: 500, maxRetryDelayMs: 30_000 },
    fetch: (url, init) => pacing.add(() => fetch(url, init)) as ReturnType<typeof fetch>,
    logLevel: LogLevel.WARN,
    // The SDK's messages never contain the secret; still, route them to Visen's log, not the console.
    logger: (level, message, extra) => {
      const text = `Notion: ${message} ${describeExtra(extra)}`.trim();
      if (level === LogLevel.ERROR) log?.error(text);
      else if (level === LogLevel.WARN) log?.warn(text);
      else log?.debug(text);
    },
  });
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

  constructor(private readonly logger?: Logger) {}

  get(auth: string, baseUrl?: string): Client {
    const key = `${baseUrl ?? ''}\u0000${auth}`;
    if (this.cached?.key !== key) {
      this.cached = { key, client: createNotionClient({ auth, baseUrl, logger: this.logger }) };
    }
    return this.cached.client;
  }
}
