import { APIResponseError, isNotionClientError, RequestTimeoutError, UnknownHTTPResponseError } from '@notionhq/client';

export type NotionProblem =
  | 'unauthorized'   // the secret is wrong or revoked
  | 'notShared'      // the page exists but the integration can't see it (Notion answers 404)
  | 'restricted'     // the integration lacks a capability
  | 'isDatabase'     // a database was given where a page is needed
  | 'notPage'
  | 'rateLimited'
  | 'validation'
  | 'conflict'
  | 'server'
  | 'network'
  | 'timeout'
  | 'unknown';

/** A Notion failure told in terms a user can act on. */
export class NotionError extends Error {
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

export const SHARE_HINT = 'In Notion, open the page → ••• → Connections → add your integration, then try again.';

/** Turns whatever the SDK threw into a NotionError with a next step; `what` names the object, e.g. "this page". */
export function toNotionError(error: unknown, what = 'this page'): NotionError {
  if (error instanceof NotionError) return error;
  if (error instanceof APIResponseError) {
    const requestId = error.request_id ?? undefined;
    switch (error.code) {
      case 'unauthorized':
        return new NotionError('unauthorized', 'Notion rejected the integration secret. Run "Visen: Set Notion Integration Secret" with the secret of your internal integration.', 401, requestId);
      case 'object_not_found':
        return new NotionError('notShared', `Notion can't find ${what}, or it is not shared with your integration. ${SHARE_HINT}`, 404, requestId);
      case 'restricted_resource':
        return new NotionError('restricted', `Your integration is not allowed to do this. In Notion's integration settings, enable the "Read content", "Update content" and "Insert content" capabilities. (${error.message})`, 403, requestId);
      case 'rate_limited':
        return new NotionError('rateLimited', 'Notion is rate limiting this integration. Wait a moment and try again.', 429, requestId);
      case 'conflict_error':
        return new NotionError('conflict', 'Notion reported a conflicting edit. Try again.', 409, requestId);
      case 'validation_error':
        if (/is a database|database, not a page/i.test(error.message)) {
          return new NotionError('isDatabase', 'This link is a Notion database, not a page. Choose a page.', 400, requestId);
        }
        return new NotionError('validation', `Notion refused the request: ${error.message}`, 400, requestId);
      case 'internal_server_error':
      case 'service_unavailable':
      case 'service_overload':
      case 'gateway_timeout':
        return new NotionError('server', `Notion is having trouble (${error.status}). Try again in a moment.`, error.status, requestId);
      default:
        return new NotionError('unknown', `Notion refused the request: ${error.message}`, error.status, requestId);
    }
  }
  if (error instanceof RequestTimeoutError) {
    return new NotionError('timeout', 'Notion did not answer in time. Check your connection and try again.');
  }
  if (error instanceof UnknownHTTPResponseError) {
    return new NotionError(error.status >= 500 ? 'server' : 'unknown', `Notion answered with an unexpected error (HTTP ${error.status}). Try again in a moment.`, error.status);
  }
  if (isNotionClientError(error)) {
    return new NotionError('unknown', `Notion request failed: ${error.message}`);
  }
  if (error instanceof Error && /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|network/i.test(`${error.message} ${String(error.cause ?? '')}`)) {
    return new NotionError('network', 'Could not reach Notion. Check your connection or the visen.notion.apiBaseUrl setting.');
  }
  return new NotionError('unknown', `Notion request failed: ${error instanceof Error ? error.message : String(error)}`);
}
