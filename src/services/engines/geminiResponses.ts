import { ApiError } from '@google/genai/web';
import * as l10n from '@vscode/l10n';
import { durationSeconds, EngineError, type EngineErrorKind, isConnectionDrop, type StreamEnding, type TokenUsage } from './engine';
import { cancelledError, noTextError } from './sdkEngine';

// What Gemini's answers and errors mean for Visen: usage, the safety filters, how a stream ended, and each
// error in words that say what to do.

/** The usage an answer reports, thinking counted as output. */
export function usageOf(
  metadata: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number } | undefined,
): TokenUsage | undefined {
  if (!metadata) return undefined;
  return {
    inputTokens: metadata.promptTokenCount ?? 0,
    outputTokens: (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0),
  };
}

/** Google's filters blocked the prompt: the error that says why. */
export function promptBlocked(feedback: { blockReason?: string; safetyRatings?: readonly Rating[] } | undefined): EngineError | undefined {
  const blocked = feedback?.blockReason;
  if (!blocked) return undefined;
  return new EngineError(
    'safety',
    l10n.t('Gemini blocked the prompt: {0}. Rephrase it and try again.', safetyCategory(blocked, feedback?.safetyRatings)),
  );
}

/** Google's filters stopped the answer: the error that says why. */
export function answerStopped(candidate: { finishReason?: string; safetyRatings?: readonly Rating[] }): EngineError | undefined {
  const reason = candidate.finishReason;
  if (!reason || !SAFETY_REASONS.has(reason)) return undefined;
  return new EngineError(
    'safety',
    l10n.t('Gemini stopped the answer: {0}. Rephrase the prompt and try again.', safetyCategory(reason, candidate.safetyRatings)),
  );
}

/** Finish reasons that mean Google's filters stopped the answer. */
const SAFETY_REASONS = new Set([
  'SAFETY',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'JAILBREAK',
  'MODEL_ARMOR',
]);

const PROBABILITY_ORDER = ['HARM_PROBABILITY_UNSPECIFIED', 'NEGLIGIBLE', 'LOW', 'MEDIUM', 'HIGH'];

interface Rating {
  category?: string;
  probability?: string;
  blocked?: boolean;
}

/**
 * What the filter objected to, in words: the rating marked `blocked`, else the most probable harm
 * ("HARM_CATEGORY_DANGEROUS_CONTENT" → "dangerous content"), else the reason itself; the reason follows in
 * brackets so the message can be looked up.
 */
function safetyCategory(reason: string, ratings: readonly Rating[] | undefined): string {
  const rated = [...(ratings ?? [])].filter((r) => r.category);
  const worst =
    rated.find((r) => r.blocked) ??
    rated
      .sort((a, b) => PROBABILITY_ORDER.indexOf(b.probability ?? '') - PROBABILITY_ORDER.indexOf(a.probability ?? ''))
      .find((r) => PROBABILITY_ORDER.indexOf(r.probability ?? '') >= PROBABILITY_ORDER.indexOf('MEDIUM'));
  let words: string;
  if (worst?.category)
    words = worst.category
      .replace(/^HARM_CATEGORY_/, '')
      .toLowerCase()
      .replace(/_/g, ' ');
  else {
    switch (reason) {
      case 'RECITATION':
        words = l10n.t('it repeated existing material too closely');
        break;
      case 'PROHIBITED_CONTENT':
      case 'IMAGE_PROHIBITED_CONTENT':
        words = l10n.t('prohibited content');
        break;
      case 'BLOCKLIST':
        words = l10n.t('terms on a blocklist');
        break;
      case 'SPII':
        words = l10n.t('sensitive personal information');
        break;
      case 'JAILBREAK':
        words = l10n.t('an attempt to get around the safety rules');
        break;
      case 'OTHER':
        words = l10n.t('an unspecified policy');
        break;
      default:
        words = l10n.t('unsafe content');
        break;
    }
  }
  return `${words} (${reason})`;
}

/** How a stream that ended without an error ended, or the error it really was. */
export function streamEnding(finishReason: string | undefined, wroteText: boolean, usage: TokenUsage | undefined): StreamEnding {
  if (!finishReason) {
    throw new EngineError(
      'cut',
      l10n.t(
        'The answer from Gemini was cut off before the model finished (the stream ended without a finish reason). What arrived is kept; generate again for the whole answer.',
      ),
    );
  }
  // CONTINUATION: the per-request token limit was reached before the answer was complete (FinishReason in
  // @google/genai); for Visen the same as MAX_TOKENS: the answer was cut at the output limit.
  if (finishReason === 'MAX_TOKENS' || finishReason === 'CONTINUATION') {
    if (!wroteText) {
      throw new EngineError(
        'empty',
        l10n.t(
          'The model returned no text: Gemini spent its whole output limit ({0} tokens) before writing any. Shorten or split the prompt, or pick another model with "Visen: Select Model".',
          usage?.outputTokens ?? '?',
        ),
      );
    }
    return { reason: 'length', outputTokens: usage?.outputTokens };
  }
  if (!wroteText) throw noTextError();
  if (finishReason !== 'STOP') {
    throw new EngineError(
      'unknown',
      l10n.t('Gemini stopped the answer early ({0}). What arrived is kept; generate again, or rephrase the prompt.', finishReason),
    );
  }
  return { reason: 'stop' };
}

interface GoogleErrorDetail {
  '@type'?: string;
  reason?: string;
  retryDelay?: string;
  violations?: Array<{ quotaId?: string; quotaMetric?: string; quotaValue?: string; quotaDimensions?: Record<string, string> }>;
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: GoogleErrorDetail[] };
}

/**
 * The SDK puts the whole JSON error body into `message`; read the status and details out of it. `model`:
 * the model the request asked for, when it generated.
 */
export function toEngineError(
  error: unknown,
  signal: AbortSignal | undefined,
  apiKey: string,
  streaming = false,
  model?: string,
): EngineError {
  if (error instanceof EngineError) return error;
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) {
    return cancelledError();
  }
  if (error instanceof ApiError) {
    let body: GoogleErrorBody = {};
    try {
      body = JSON.parse(error.message.replace(/^[^{]*/, '')) as GoogleErrorBody;
    } catch {
      // Not JSON: keep the status alone.
    }
    const detail = redact(body.error?.message ?? error.message, apiKey);
    const status = body.error?.status ?? '';
    const details = body.error?.details ?? [];
    if (error.status === 429 || status === 'RESOURCE_EXHAUSTED') return exhausted(details, detail, error.status);
    // "models/x is not found for API version v1beta, or is not supported for generateContent. …": the
    // model was retired, or never served to this key.
    if (model && error.status === 404 && status === 'NOT_FOUND' && /\bmodels\/\S+ is not found\b/.test(detail)) {
      return new EngineError(
        'modelGone',
        l10n.t('{0} is no longer available — choose another model.', model.replace(/^models\//, '')),
        error.status,
      );
    }
    const kind = classify(
      error.status,
      status,
      details.map((d) => d.reason ?? ''),
    );
    return new EngineError(kind, geminiMessage(kind, detail, error.status), error.status);
  }
  if (streaming && isConnectionDrop(error)) {
    return new EngineError(
      'cut',
      l10n.t(
        'The answer from Gemini was cut off before the model finished (the connection dropped). What arrived is kept; generate again for the whole answer.',
      ),
    );
  }
  if (
    error instanceof Error &&
    (isConnectionDrop(error) ||
      /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|network/i.test(`${error.message} ${String(error.cause ?? '')}`))
  ) {
    return new EngineError('network', l10n.t('Could not reach Gemini. Check your connection or the visen.gemini.baseUrl setting.'));
  }
  return new EngineError('unknown', l10n.t('Gemini failed: {0}', redact(error instanceof Error ? error.message : String(error), apiKey)));
}

/** Google echoes the key in some messages ("Consumer 'api_key:AIza…' has been suspended"); keys never reach the user's log. */
function redact(text: string, apiKey: string): string {
  let out = text.replace(/AIza[0-9A-Za-z_-]{20,}/g, 'AIza…');
  if (apiKey.length >= 8) out = out.split(apiKey).join('…');
  return out;
}

/**
 * RESOURCE_EXHAUSTED is both "too many requests this minute" and "nothing left today": the QuotaFailure
 * detail says which quota ran out. A per-day quota, a quota of 0 (the model is not in the plan) or spent
 * credits is `quota`; a per-minute quota, or no detail at all, is `rateLimit` with Google's RetryInfo delay.
 * The message text cannot decide: every 429 says "check your plan and billing details" and links docs.
 */
function exhausted(details: GoogleErrorDetail[], detail: string, httpStatus: number): EngineError {
  const violations = details.filter((d) => d['@type']?.endsWith('google.rpc.QuotaFailure')).flatMap((d) => d.violations ?? []);
  const retry = details.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
  const name = (v: (typeof violations)[number]) => {
    const model = v.quotaDimensions?.model;
    const limit = v.quotaValue;
    return [v.quotaId ?? v.quotaMetric ?? '?', limit !== undefined ? l10n.t('limit {0}', limit) : undefined, model]
      .filter(Boolean)
      .join(', ');
  };
  const daily = violations.find((v) => /PerDay|Daily/i.test(`${v.quotaId ?? ''} ${v.quotaMetric ?? ''}`));
  if (daily) {
    return new EngineError(
      'quota',
      l10n.t(
        'Your Gemini quota for today is used up ({0}). Check your plan and billing in Google AI Studio, wait until it resets, or pick another model with "Visen: Select Model".',
        name(daily),
      ),
      httpStatus,
    );
  }
  const none = violations.find((v) => v.quotaValue === '0');
  if (none) {
    return new EngineError(
      'quota',
      l10n.t(
        'Your Gemini plan has no quota for this model ({0}). Enable billing in Google AI Studio, or pick another model with "Visen: Select Model".',
        name(none),
      ),
      httpStatus,
    );
  }
  const billing =
    details.some((d) => /BILLING|CREDIT/i.test(d.reason ?? '')) ||
    /credits? (?:are |is )?(?:depleted|exhausted)|prepayment|billing (?:is )?(?:not enabled|disabled)|enable billing/i.test(detail);
  if (billing) {
    return new EngineError(
      'quota',
      l10n.t('Gemini refused for billing: {0} Check your plan and billing in Google AI Studio.', detail),
      httpStatus,
    );
  }
  const seconds = durationSeconds(retry);
  // RetryInfo's delay is whole seconds, cut down: the message's "Please retry in 26.9s" is exact when there.
  const exact = /retry in (\d+(?:\.\d+)?)s/i.exec(detail)?.[1];
  const waitMs = exact ? Math.ceil(Number(exact) * 1000) : seconds ? (seconds + 1) * 1000 : undefined;
  const which = violations.length ? name(violations[0]) : undefined;
  if (which && seconds)
    return new EngineError(
      'rateLimit',
      l10n.t('Gemini is rate limiting your key ({0}). Wait {1} s and try again.', which, seconds),
      httpStatus,
      waitMs,
    );
  if (which)
    return new EngineError('rateLimit', l10n.t('Gemini is rate limiting your key ({0}). Wait a minute and try again.', which), httpStatus);
  if (seconds)
    return new EngineError('rateLimit', l10n.t('Gemini is rate limiting your key. Wait {0} s and try again.', seconds), httpStatus, waitMs);
  return new EngineError('rateLimit', l10n.t('Gemini is busy or rate limiting your key. Wait a minute and try again.'), httpStatus);
}

function classify(httpStatus: number, status: string, reasons: string[]): EngineErrorKind {
  if (
    reasons.includes('API_KEY_INVALID') ||
    httpStatus === 401 ||
    status === 'UNAUTHENTICATED' ||
    (httpStatus === 403 && status === 'PERMISSION_DENIED')
  )
    return 'auth';
  if (httpStatus === 404 || status === 'NOT_FOUND') return 'notFound';
  if (httpStatus === 400) return 'badRequest';
  if (httpStatus >= 500) return 'server';
  return 'unknown';
}

function geminiMessage(kind: EngineErrorKind, detail: string, httpStatus: number): string {
  switch (kind) {
    case 'auth':
      return httpStatus === 403
        ? l10n.t('Gemini denied this key: {0} Run "Visen: Set Gemini API Key" with a working key from Google AI Studio.', detail)
        : l10n.t('Gemini rejected the API key. Run "Visen: Set Gemini API Key" with a key from Google AI Studio.');
    case 'notFound':
      return l10n.t('Gemini does not know this model. Run "Visen: Select Model" to pick one your key can use. ({0})', detail);
    case 'server':
      return l10n.t('Gemini had a server error ({0}). Try again in a moment.', httpStatus);
    default:
      return l10n.t('Gemini refused the request: {0}', detail);
  }
}
