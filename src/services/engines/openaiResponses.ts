import * as l10n from '@vscode/l10n';
import OpenAI from 'openai';
import { durationSeconds, EngineError, type EngineErrorKind, isConnectionDrop, type StreamEnding, type TokenUsage } from './engine';
import { cancelledError, noTextError } from './sdkEngine';

// What the answers and errors of OpenAI and compatible servers mean for Visen: usage, the content filter, how a
// stream ended, and each error in words that say what to do.

/** The usage an answer reports. */
export function usageOf(usage: { prompt_tokens: number; completion_tokens: number } | null | undefined): TokenUsage | undefined {
  return usage ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } : undefined;
}

/** The content filter stopped the answer: the error that says what it flagged. */
export function answerFiltered(choice: unknown): EngineError {
  return new EngineError(
    'safety',
    l10n.t('The content filter stopped the answer: {0}. Rephrase the prompt and try again.', filteredCategories(choice)),
  );
}

/** An error body that says the quota or billing is spent, which only billing fixes. */
export function isQuotaSpent(body: unknown): boolean {
  const { code, type } = errorFields(body);
  return QUOTA_CODES.has(code ?? '') || QUOTA_CODES.has(type ?? '');
}

const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active']);

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

interface ErrorFields {
  message?: string;
  type?: string;
  code?: string;
  innererror?: { content_filter_result?: Record<string, { filtered?: boolean; severity?: string; detected?: boolean }> };
}

/** `{error:{…}}` as sent, or the SDK's `error.error` (already the inner object). */
function errorFields(body: unknown): ErrorFields {
  if (!body || typeof body !== 'object') return {};
  const inner = 'error' in body && body.error && typeof body.error === 'object' ? body.error : body;
  const fields = inner as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    message: str(fields.message),
    type: str(fields.type),
    code: str(fields.code),
    innererror: fields.innererror as ErrorFields['innererror'],
  };
}

/**
 * The categories a filter flagged, in words. OpenAI does not say which; Azure OpenAI (an OpenAI-compatible
 * server) adds `content_filter_results` to the choice, or `innererror.content_filter_result` to a 400.
 */
function filteredCategories(source: unknown): string {
  const results = (source as { content_filter_results?: Record<string, { filtered?: boolean }> } | undefined)?.content_filter_results;
  const names = Object.entries(results ?? {})
    .filter(([, r]) => r && typeof r === 'object' && r.filtered)
    .map(([name]) => name.replace(/_/g, ' '));
  return names.length ? `${names.join(', ')} (content_filter)` : l10n.t("content the provider's policy does not allow (content_filter)");
}

/** How a stream that ended without an error ended, or the error it really was. */
export function streamEnding(finishReason: string | undefined, wroteText: boolean, usage: TokenUsage | undefined): StreamEnding {
  if (!finishReason) {
    throw new EngineError(
      'cut',
      l10n.t(
        'The answer from the OpenAI server was cut off before the model finished (the stream ended without a finish reason). What arrived is kept; generate again for the whole answer.',
      ),
    );
  }
  if (finishReason === 'length') {
    if (!wroteText) {
      throw new EngineError(
        'empty',
        l10n.t(
          'The model returned no text: it spent its whole output limit ({0} tokens) before writing any. Shorten or split the prompt, or pick another model with "Visen: Select Model".',
          usage?.outputTokens ?? '?',
        ),
      );
    }
    return { reason: 'length', outputTokens: usage?.outputTokens };
  }
  if (!wroteText) throw noTextError();
  return { reason: 'stop' };
}

/** What the request was: the model it asked for, and whether it went without a key. */
interface RequestContext {
  readonly model?: string;
  readonly keyless?: boolean;
}

export function toEngineError(error: unknown, signal?: AbortSignal, streaming = false, context: RequestContext = {}): EngineError {
  if (error instanceof EngineError) return error;
  if (signal?.aborted || error instanceof OpenAI.APIUserAbortError) {
    return cancelledError();
  }
  if (streaming && !(error instanceof OpenAI.APIError && !(error instanceof OpenAI.APIConnectionError)) && isConnectionDrop(error)) {
    return new EngineError(
      'cut',
      l10n.t(
        'The answer from the OpenAI server was cut off before the model finished (the connection dropped). What arrived is kept; generate again for the whole answer.',
      ),
    );
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new EngineError(
      'network',
      l10n.t('Could not reach the OpenAI server. Check your connection or the visen.openai.baseUrl setting.'),
    );
  }
  if (error instanceof OpenAI.APIError) {
    const fields = errorFields(error.error);
    const detail = fields.message ?? error.message;
    if (fields.code === 'content_filter') {
      return new EngineError(
        'safety',
        l10n.t(
          'The content filter blocked the prompt: {0}. Rephrase it and try again.',
          filteredCategories({ content_filter_results: fields.innererror?.content_filter_result }),
        ),
        error.status,
      );
    }
    if (error.status === 429 || QUOTA_CODES.has(fields.code ?? '') || QUOTA_CODES.has(fields.type ?? ''))
      return limited(error, fields, detail);
    if (context.model && isModelGone(error.status, fields, detail)) {
      return new EngineError('modelGone', l10n.t('{0} is no longer available — choose another model.', context.model), error.status);
    }
    const kind = classify(error.status, fields.code);
    if (kind === 'auth' && context.keyless) {
      return new EngineError(
        'auth',
        l10n.t('The server at visen.openai.baseUrl asks for an API key. Run "Visen: Set OpenAI API Key" with the key of that server.'),
        error.status,
      );
    }
    return new EngineError(kind, openAIMessage(kind, detail, error.status), error.status);
  }
  return new EngineError('unknown', l10n.t('OpenAI failed: {0}', error instanceof Error ? error.message : String(error)));
}

/**
 * A 429 is either a spent quota (`insufficient_quota`: only billing fixes it) or a rate limit
 * (`rate_limit_exceeded`, or no code from a compatible server) that passes: decided by the error's code and
 * type, never by words in the message. The wait comes from `retry-after-ms`, `retry-after` or the
 * `x-ratelimit-reset-*` header of the limit that was hit.
 */
function limited(error: InstanceType<typeof OpenAI.APIError>, fields: ErrorFields, detail: string): EngineError {
  if (QUOTA_CODES.has(fields.code ?? '') || QUOTA_CODES.has(fields.type ?? '')) {
    return new EngineError(
      'quota',
      l10n.t(
        'Your OpenAI quota is used up ({0}). Add credit or raise the limit on the billing page of platform.openai.com, or switch engine.',
        fields.code ?? fields.type ?? '',
      ),
      error.status,
    );
  }
  const headers = error.headers;
  const header = (name: string) => headers?.get(name) ?? undefined;
  const ms = Number(header('retry-after-ms'));
  const retryAfter = header('retry-after');
  let seconds = Number.isFinite(ms) && ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : undefined;
  if (seconds === undefined && retryAfter) {
    const date = Date.parse(retryAfter);
    seconds = durationSeconds(retryAfter) ?? (Number.isNaN(date) ? undefined : Math.max(1, Math.ceil((date - Date.now()) / 1000)));
  }
  if (seconds === undefined) {
    const reset =
      fields.type === 'tokens'
        ? header('x-ratelimit-reset-tokens')
        : (header('x-ratelimit-reset-requests') ?? header('x-ratelimit-reset-tokens'));
    seconds = durationSeconds(reset);
  }
  const which =
    fields.type === 'tokens' ? l10n.t('tokens per minute') : fields.type === 'requests' ? l10n.t('requests per minute') : undefined;
  const waitMs = Number.isFinite(ms) && ms > 0 ? ms : seconds !== undefined ? seconds * 1000 : undefined;
  if (which && seconds)
    return new EngineError(
      'rateLimit',
      l10n.t('OpenAI is rate limiting your key ({0}). Wait {1} s and try again.', which, seconds),
      error.status,
      waitMs,
    );
  if (seconds)
    return new EngineError(
      'rateLimit',
      l10n.t('The OpenAI server is rate limiting your key. Wait {0} s and try again.', seconds),
      error.status,
      waitMs,
    );
  if (which)
    return new EngineError(
      'rateLimit',
      l10n.t('OpenAI is rate limiting your key ({0}). Wait a minute and try again.', which),
      error.status,
    );
  return new EngineError(
    'rateLimit',
    l10n.t('The OpenAI server is rate limiting your key. Wait a minute and try again. ({0})', detail),
    error.status,
  );
}

/**
 * A 404 for the model asked for: OpenAI's `model_not_found` ("The model `x` does not exist or you do not
 * have access to it."), or a compatible server's own words for it (Ollama: `model "x" not found`).
 */
function isModelGone(status: number | undefined, fields: ErrorFields, detail: string): boolean {
  if (status !== 404) return false;
  return fields.code === 'model_not_found' || /\bmodel\b.*\b(?:not found|does not exist)\b/i.test(detail);
}

function classify(status: number | undefined, code: string | undefined): EngineErrorKind {
  if (status === 401 || code === 'invalid_api_key') return 'auth';
  if (status === 404 || code === 'model_not_found') return 'notFound';
  if (status === 403) return 'auth';
  if (status === 400 || status === 422) return 'badRequest';
  if (status !== undefined && status >= 500) return 'server';
  return 'unknown';
}

function openAIMessage(kind: EngineErrorKind, detail: string, status: number | undefined): string {
  switch (kind) {
    case 'auth':
      return status === 403
        ? l10n.t(
            'The OpenAI server denied this key: {0} Check the key\'s project and permissions, or run "Visen: Set OpenAI API Key" with another key.',
            detail,
          )
        : l10n.t('OpenAI rejected the API key. Run "Visen: Set OpenAI API Key" with a key from platform.openai.com.');
    case 'notFound':
      return l10n.t('The OpenAI server does not know this model. Run "Visen: Select Model" to pick one. ({0})', detail);
    case 'server':
      return l10n.t('The OpenAI server had an error ({0}). Try again in a moment.', status ?? '?');
    default:
      return l10n.t('OpenAI refused the request: {0}', detail);
  }
}
