import * as l10n from '@vscode/l10n';
import { NotionAbortError, NotionDeadlineError } from './notionClient';
import { notionSdk, type NotionSdk } from './sdk';
import { TOKEN_KIND_HEADER, type TokenKind } from './tokenIdentity';

export type NotionProblem =
  | 'unauthorized' // the token is wrong, revoked or (a personal access token) expired
  | 'notShared' // the page exists but the token can't see it (Notion answers 404)
  | 'restricted' // the integration lacks a capability
  | 'isDatabase' // a database was given where a page is needed
  | 'isPage' // a page was given where a database is needed
  | 'notPage'
  | 'rateLimited'
  | 'validation'
  | 'conflict'
  | 'server'
  | 'network'
  | 'timeout'
  | 'cancelled' // the run was cancelled (`inFlight`: while Notion was answering, so the outcome is unknown)
  | 'unknown';

/** A Notion failure told in terms a user can act on. */
export class NotionError extends Error {
  /** For `cancelled`: the request had been sent, so Notion may have applied it. */
  inFlight?: boolean;

  constructor(
    readonly problem: NotionProblem,
    message: string,
    readonly status?: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'NotionError';
  }
}

/** What a request was about: the "can't find" message names it. */
export type NotionObject = 'page' | 'database' | 'row' | 'connectionsDatabase';

/** Whole sentences per object and kind of token, so that translators never assemble one from pieces. */
function notFoundMessage(what: NotionObject, kind: TokenKind): string {
  // A personal access token sees what its person can open: no sharing with an integration to suggest.
  if (kind === 'person') {
    switch (what) {
      case 'page':
        return l10n.t(
          "Notion can't find this page, or your Notion account cannot open it. Check the link, or ask the page's owner to give you access.",
        );
      case 'database':
        return l10n.t(
          "Notion can't find this database, or your Notion account cannot open it. Check the link, or ask the database's owner to give you access.",
        );
      case 'row':
        return l10n.t(
          "Notion can't find this row, or your Notion account cannot open it. Check the link, or ask the database's owner to give you access.",
        );
      case 'connectionsDatabase':
        return l10n.t(
          "Notion can't find the connections database, or your Notion account cannot open it. Check the link in the visen.connectionsDatabaseUrl setting, or ask its owner to give you access.",
        );
    }
  }
  switch (what) {
    case 'page':
      return l10n.t(
        "Notion can't find this page, or it is not shared with your integration. In Notion, open the page → ••• → Connections → add your integration, then try again.",
      );
    case 'database':
      return l10n.t(
        "Notion can't find this database, or it is not shared with your integration. In Notion, open the page → ••• → Connections → add your integration, then try again.",
      );
    case 'row':
      return l10n.t(
        "Notion can't find this row, or it is not shared with your integration. In Notion, open the page → ••• → Connections → add your integration, then try again.",
      );
    case 'connectionsDatabase':
      return l10n.t(
        "Notion can't find the connections database, or it is not shared with your integration. In Notion, open the page → ••• → Connections → add your integration, then try again.",
      );
  }
}

/** "No database at this link", for a pasted database link. */
export function databaseLinkNotFound(kind: TokenKind): string {
  return kind === 'person'
    ? l10n.t(
        "Notion can't find a database at this link, or your Notion account cannot open it. Open the database as a full page in Notion and copy that link.",
      )
    : l10n.t(
        "Notion can't find a database at this link, or it is not shared with your integration. Open the database in Notion → ••• → Connections → add your integration.",
      );
}

/** The kind of token a failed request was made with (its client's, when known; an integration's otherwise). */
export function tokenKindOf(error: unknown): TokenKind {
  // The SDK keeps the response's headers on its errors (HTTPResponseError.headers): a Headers object here.
  const headers = (error as { headers?: unknown } | undefined)?.headers;
  const kind = headers instanceof Headers ? headers.get(TOKEN_KIND_HEADER) : undefined;
  return kind === 'person' ? 'person' : 'bot';
}

/** Turns whatever the SDK threw into a NotionError with a next step; `what` is the object the request was about. */
export function toNotionError(error: unknown, what: NotionObject = 'page'): NotionError {
  if (error instanceof NotionError) return error;
  if (error instanceof NotionAbortError) {
    return Object.assign(new NotionError('cancelled', l10n.t('Cancelled.')), { inFlight: error.sent });
  }
  // Only a request that went out can have failed with one of the SDK's errors: the SDK is loaded by then.
  const { APIResponseError, RequestTimeoutError, UnknownHTTPResponseError, isNotionClientError } = notionSdk();
  if (error instanceof APIResponseError) return fromResponse(error, what);
  if (error instanceof NotionDeadlineError || error instanceof RequestTimeoutError) {
    return new NotionError('timeout', l10n.t('Notion did not answer in time. Check your connection and try again.'));
  }
  if (error instanceof UnknownHTTPResponseError) {
    return new NotionError(
      error.status >= 500 ? 'server' : 'unknown',
      l10n.t('Notion answered with an unexpected error (HTTP {0}). Try again in a moment.', error.status),
      error.status,
    );
  }
  if (isNotionClientError(error)) {
    return new NotionError('unknown', l10n.t('Notion request failed: {0}', error.message));
  }
  if (
    error instanceof Error &&
    /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|network/i.test(`${error.message} ${String(error.cause ?? '')}`)
  ) {
    return new NotionError('network', l10n.t('Could not reach Notion. Check your connection or the visen.notion.apiBaseUrl setting.'));
  }
  return new NotionError('unknown', l10n.t('Notion request failed: {0}', error instanceof Error ? error.message : String(error)));
}

/** A NotionError for an error answer of Notion's (the SDK's APIResponseError), by its code. */
function fromResponse(error: InstanceType<NotionSdk['APIResponseError']>, what: NotionObject): NotionError {
  const requestId = error.request_id ?? undefined;
  const kind = tokenKindOf(error);
  switch (error.code) {
    case 'unauthorized':
      return new NotionError(
        'unauthorized',
        kind === 'person'
          ? l10n.t(
              'Notion rejected your personal access token: it may have expired (they last a year) or been revoked. Make a new one at notion.so/developers/tokens, then run "Visen: Set Notion Token".',
            )
          : l10n.t('Notion rejected the integration secret. Run "Visen: Set Notion Token" with the secret of your internal integration.'),
        401,
        requestId,
      );
    case 'object_not_found':
      return new NotionError('notShared', notFoundMessage(what, kind), 404, requestId);
    case 'restricted_resource':
      return new NotionError(
        'restricted',
        kind === 'person'
          ? l10n.t(
              'Your personal access token is not allowed to do this. Make one with the "Notion API" capability at notion.so/developers/tokens. ({0})',
              error.message,
            )
          : l10n.t(
              'Your integration is not allowed to do this. In Notion\'s integration settings, enable the "Read content", "Update content" and "Insert content" capabilities. ({0})',
              error.message,
            ),
        403,
        requestId,
      );
    case 'rate_limited':
      return new NotionError('rateLimited', l10n.t('Notion is rate limiting this token. Wait a moment and try again.'), 429, requestId);
    case 'conflict_error':
      return new NotionError('conflict', l10n.t('Notion reported a conflicting edit. Try again.'), 409, requestId);
    case 'validation_error':
      if (/is a database|database, not a page/i.test(error.message)) {
        return new NotionError('isDatabase', l10n.t('This link is a Notion database, not a page. Choose a page.'), 400, requestId);
      }
      return new NotionError('validation', l10n.t('Notion refused the request: {0}', error.message), 400, requestId);
    case 'internal_server_error':
    case 'service_unavailable':
    case 'service_overload':
    case 'gateway_timeout':
      return new NotionError(
        'server',
        l10n.t('Notion is having trouble ({0}). Try again in a moment.', error.status),
        error.status,
        requestId,
      );
    default:
      return new NotionError('unknown', l10n.t('Notion refused the request: {0}', error.message), error.status, requestId);
  }
}
