// Loopback stand-in for the Gemini Developer API (generativelanguage.googleapis.com), in the wire format
// @google/genai parses. See /work/shared/reference/wire-protocols.md §3.
import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import type {
  BlockedReason,
  Candidate,
  Content,
  FinishReason,
  GenerateContentResponse,
  GenerateContentResponseUsageMetadata,
  HarmCategory,
  Model,
  SafetyRating,
} from '@google/genai/web';
import { defaultGeneratedMarkdown } from './generatedMarkdown';
import { exampleFor, geminiJsonModeProblem, geminiSchema } from './jsonMode';
import { FailureQueue, type LoggedRequest, estimateTokens, sendJson, splitIntoDeltas, startServer, newTally, streamTo } from './server';

/** Candidates as sent on the wire: enums are plain strings there. */
type WireRating = Omit<SafetyRating, 'category' | 'probability'> & {
  category: `${HarmCategory}`;
  probability: 'NEGLIGIBLE' | 'LOW' | 'MEDIUM' | 'HIGH';
};
type WireCandidate = Omit<Candidate, 'finishReason' | 'safetyRatings'> & { finishReason?: `${FinishReason}`; safetyRatings?: WireRating[] };
type WireResponse = Pick<GenerateContentResponse, 'modelVersion' | 'responseId' | 'usageMetadata'> & {
  candidates?: WireCandidate[];
  promptFeedback?: { blockReason?: `${BlockedReason}`; safetyRatings?: WireRating[] };
};

/** Finish reasons with which Google's filters end an answer. */
type GeminiSafetyFinish = 'SAFETY' | 'PROHIBITED_CONTENT' | 'BLOCKLIST' | 'SPII' | 'RECITATION';

/**
 * How the next streamed answer goes wrong (streamGenerateContent only). `afterChunks` counts the text chunks
 * sent first (default 2).
 * - `drop`: the connection is destroyed after the chunks: no finishReason, no clean end (undici "terminated");
 * - `noFinish`: the stream ends cleanly after the chunks, but no chunk carries a finishReason or usage;
 * - `empty`: one chunk, finishReason STOP, content without parts (as thinking models sometimes answer);
 * - `safety`: the chunks, then a candidate with the finish reason (default SAFETY), no content, and four
 *   safetyRatings, `category` (default dangerous content) HIGH and `blocked: true` (RECITATION carries none);
 * - `promptBlocked`: a single chunk without candidates, `promptFeedback.blockReason` (default SAFETY) with
 *   ratings for SAFETY;
 * - `maxTokens`: the chunks, then finishReason MAX_TOKENS (or `finishReason`, e.g. CONTINUATION: the per-request
 *   limit reached, the answer not complete) with usage (see setUsage).
 */
type GeminiStreamFault =
  | { kind: 'drop'; afterChunks?: number }
  | { kind: 'noFinish'; afterChunks?: number }
  | { kind: 'empty' }
  | { kind: 'safety'; finishReason?: GeminiSafetyFinish; category?: `${HarmCategory}`; afterChunks?: number }
  | { kind: 'promptBlocked'; blockReason?: `${BlockedReason}`; category?: `${HarmCategory}` }
  | { kind: 'maxTokens'; afterChunks?: number; finishReason?: 'MAX_TOKENS' | 'CONTINUATION' };
/** The REST field is `supportedGenerationMethods`; the SDK renames it to `supportedActions`. */
type WireModel = Omit<Model, 'supportedActions'> & { supportedGenerationMethods: string[] };

export interface GeminiRequest {
  model: string;
  apiVersion: string;
  contents: Content[];
  systemInstruction?: Content;
  generationConfig?: Record<string, unknown>;
  /** Text of the last user turn, what the default responder writes about. */
  prompt: string;
  stream: boolean;
}

export interface GeminiFailure {
  status: number;
  /** Error body; defaults to Google's body for the status. Objects are sent as JSON, strings verbatim. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer, not even headers, until the client gives up (a server that took the request and hung); `status` is ignored. */
  hang?: boolean;
  /** Fail after the stream started: a few chunks, then a `data: {"error": …}` frame. */
  inStream?: boolean;
  path?: RegExp;
}

export interface GeminiModelInfo {
  id: string;
  displayName?: string;
  methods?: string[];
  /** As the API reports it: "001", "2.5", "3.5-flash-05-2026", or a name for aliases ("Gemini Flash Latest"). */
  version?: string;
  description?: string;
}

export interface GeminiFakeOptions {
  validKeys?: string[];
  /** Demo mode: any non-empty key is accepted. */
  acceptAnyKey?: boolean;
  models?: Array<string | GeminiModelInfo>;
  chunkDelayMs?: number;
  port?: number;
  /**
   * The free tier's per-minute request quota (10 for Gemini 2.5 Flash): past it, generateContent and
   * streamGenerateContent answer 429 RESOURCE_EXHAUSTED with the QuotaFailure and the RetryInfo of the
   * real API, the delay being the time until the oldest request of the last minute leaves the window.
   */
  requestsPerMinute?: number;
}

export interface GeminiFake {
  /** baseUrl for the SDK (no version segment). */
  readonly url: string;
  close(): Promise<void>;
  validKeys: Set<string>;
  acceptAnyKey: boolean;
  models: GeminiModelInfo[];
  chunkDelayMs: number;
  requestsPerMinute: number | undefined;
  /** Requests answered 429 by `requestsPerMinute`. */
  readonly rateLimitedCount: number;
  readonly requests: LoggedRequest[];
  /** Streams the client dropped before they finished. */
  readonly abortedStreams: number;
  readonly completedStreams: number;
  /** Streams the fake itself cut (`drop` faults). */
  readonly droppedStreams: number;
  respondWith(fn: (req: GeminiRequest) => string | Promise<string>): void;
  failNext(failure: GeminiFailure, times?: number): void;
  /** The next `times` streamed answers go wrong as `fault` describes. */
  failStreamNext(fault: GeminiStreamFault, times?: number): void;
  setUsage(usage: Partial<Pick<GenerateContentResponseUsageMetadata, 'promptTokenCount' | 'candidatesTokenCount'>> | null): void;
  reset(): void;
}

const DEFAULT_GEMINI_MODELS: GeminiModelInfo[] = [
  // Today's recommended models (src/services/engines/modelCatalog.json), then older ones tests still name.
  { id: 'gemini-3.8-flash', displayName: 'Gemini 3.8 Flash' },
  { id: 'gemini-3.5-flash-lite', displayName: 'Gemini 3.5 Flash-Lite' },
  { id: 'gemini-2.5-flash', displayName: 'Gemini 2.5 Flash' },
  { id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro' },
  { id: 'gemini-2.5-flash-lite', displayName: 'Gemini 2.5 Flash-Lite' },
  { id: 'gemini-embedding-001', displayName: 'Gemini Embedding 001', methods: ['embedContent', 'countTokens'] },
];

const GENERATE_METHODS = ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];

/**
 * A list shaped like the API's answer in 2026 (abridged): stable ids beside previews, dated and numbered
 * snapshots, `-latest` aliases, and models that generate no text or cannot be called with generateContent.
 */
export const GEMINI_MODELS_2026: GeminiModelInfo[] = [
  { id: 'gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', version: '001', description: 'Stable version of Gemini 2.5 Flash' },
  { id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', version: '2.5' },
  { id: 'gemini-2.0-flash', displayName: 'Gemini 2.0 Flash', version: '2.0' },
  { id: 'gemini-2.0-flash-001', displayName: 'Gemini 2.0 Flash 001', version: '2.0' },
  { id: 'gemini-2.0-flash-exp', displayName: 'Gemini 2.0 Flash Experimental', version: '2.0' },
  {
    id: 'gemini-2.5-flash-preview-tts',
    displayName: 'Gemini 2.5 Flash Preview TTS',
    version: 'gemini-2.5-flash-exp-tts-2025-05-19',
    methods: ['countTokens', 'generateContent'],
  },
  {
    id: 'gemini-flash-latest',
    displayName: 'Gemini Flash Latest',
    version: 'Gemini Flash Latest',
    description: 'Latest release of Gemini Flash',
  },
  { id: 'gemini-2.5-flash-lite', displayName: 'Gemini 2.5 Flash-Lite', version: '001' },
  {
    id: 'gemini-2.5-flash-image',
    displayName: 'Nano Banana',
    version: '2.0',
    methods: ['generateContent', 'countTokens', 'batchGenerateContent'],
  },
  { id: 'gemini-3-flash-preview', displayName: 'Gemini 3 Flash Preview', version: '3-flash-preview-12-2025' },
  { id: 'gemini-3.1-flash-lite', displayName: 'Gemini 3.1 Flash Lite', version: '3.1-flash-lite-05-2026' },
  { id: 'gemini-3.5-flash', displayName: 'Gemini 3.5 Flash', version: '3.5-flash-05-2026' },
  { id: 'gemini-3.5-flash-preview-06-2026', displayName: 'Gemini 3.5 Flash Preview', version: '3.5-flash-preview-06-2026' },
  { id: 'gemini-embedding-001', displayName: 'Gemini Embedding 001', version: '001', methods: ['embedContent', 'countTokens'] },
];

function googleError(code: number, status: string, message: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

const RATE_LIMITS_HELP = {
  '@type': 'type.googleapis.com/google.rpc.Help',
  links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
};
const EXCEEDED =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. ';

function quotaExceeded(violation: { metric: string; quotaId: string; model: string; limit: number }, retryDelay?: string) {
  const retry = retryDelay ? `\nPlease retry in ${retryDelay}.` : '';
  return googleError(
    429,
    'RESOURCE_EXHAUSTED',
    `${EXCEEDED}\n* Quota exceeded for metric: generativelanguage.googleapis.com/${violation.metric}, limit: ${violation.limit}, model: ${violation.model}${retry}`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: `generativelanguage.googleapis.com/${violation.metric}`,
            quotaId: violation.quotaId,
            quotaDimensions: { location: 'global', model: violation.model },
            quotaValue: String(violation.limit),
          },
        ],
      },
      RATE_LIMITS_HELP,
      ...(retryDelay
        ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Math.floor(Number.parseFloat(retryDelay))}s` }]
        : []),
    ],
  );
}

/**
 * Error responses as the Gemini API sends them (bodies from real answers; wire-protocols.md §3.4), ready for
 * `failNext`. Every 429 says "exceeded your current quota … plan and billing" and links the rate-limit docs,
 * whichever quota it is: only `details` tell a per-minute limit from a spent daily quota.
 */
export const geminiErrors = {
  /** 429 for a per-minute quota (requests or input tokens), with RetryInfo. */
  rateLimitPerMinute(
    options: { model?: string; retryDelay?: string; metric?: 'requests' | 'input_tokens'; limit?: number } = {},
  ): GeminiFailure {
    const model = options.model ?? 'gemini-2.5-flash';
    const tokens = options.metric === 'input_tokens';
    return {
      status: 429,
      body: quotaExceeded(
        {
          metric: tokens ? 'generate_content_free_tier_input_token_count' : 'generate_content_free_tier_requests',
          quotaId: tokens ? 'GenerateContentInputTokensPerModelPerMinute-FreeTier' : 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
          model,
          limit: options.limit ?? (tokens ? 250000 : 10),
        },
        options.retryDelay ?? '26.913578376s',
      ),
    };
  },
  /** 429 for the spent per-day request quota (which still carries a RetryInfo, as the real one does). */
  quotaPerDay(options: { model?: string; limit?: number; retryDelay?: string } = {}): GeminiFailure {
    const model = options.model ?? 'gemini-2.5-pro';
    return {
      status: 429,
      body: quotaExceeded(
        {
          metric: 'generate_content_free_tier_requests',
          quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
          model,
          limit: options.limit ?? 50,
        },
        options.retryDelay ?? '29.5s',
      ),
    };
  },
  /** 429 for a model the plan has no quota for at all (limit 0 on the free tier). */
  quotaNotInPlan(options: { model?: string } = {}): GeminiFailure {
    return {
      status: 429,
      body: quotaExceeded(
        {
          metric: 'generate_content_free_tier_input_token_count',
          quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
          model: options.model ?? 'gemini-2.5-pro',
          limit: 0,
        },
        '40s',
      ),
    };
  },
  /** 429 when prepaid credits ran out: no QuotaFailure, the message says it. */
  creditsDepleted(): GeminiFailure {
    return {
      status: 429,
      body: googleError(
        429,
        'RESOURCE_EXHAUSTED',
        'Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing.',
      ),
    };
  },
  /** 429 without details, as shared capacity runs out ("Resource has been exhausted"). */
  exhausted(): GeminiFailure {
    return { status: 429, body: googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).') };
  },
  /** 400 INVALID_ARGUMENT / API_KEY_INVALID: what a wrong key gets. */
  apiKeyInvalid(): GeminiFailure {
    return { status: 400, body: API_KEY_INVALID };
  },
  /** 401 UNAUTHENTICATED, as a gateway or an OAuth token without the scope gets. */
  unauthenticated(): GeminiFailure {
    return {
      status: 401,
      body: googleError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
            domain: 'googleapis.com',
            metadata: {
              service: 'generativelanguage.googleapis.com',
              method: 'google.ai.generativelanguage.v1beta.GenerativeService.StreamGenerateContent',
            },
          },
        ],
      ),
    };
  },
  /** 403 PERMISSION_DENIED for a key Google disabled as leaked. */
  permissionDenied(): GeminiFailure {
    return { status: 403, body: googleError(403, 'PERMISSION_DENIED', 'Your API key was reported as leaked. Please use another API key.') };
  },
  /** 500 INTERNAL. */
  internal(): GeminiFailure {
    return { status: 500, body: defaultFailureBody(500) };
  },
  /** 503 UNAVAILABLE (model overloaded). */
  unavailable(): GeminiFailure {
    return { status: 503, body: defaultFailureBody(503) };
  },
};

const API_KEY_INVALID = googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
  {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'API_KEY_INVALID',
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  },
  {
    '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
    locale: 'en-US',
    message: 'API key not valid. Please pass a valid API key.',
  },
]);

function defaultFailureBody(status: number): unknown {
  switch (status) {
    case 400:
      return API_KEY_INVALID;
    case 403:
      return googleError(
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    case 404:
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    case 429:
      return geminiErrors.rateLimitPerMinute({ retryDelay: '30s' }).body;
    case 503:
      return googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    default:
      return status >= 500
        ? googleError(
            status,
            'INTERNAL',
            'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
          )
        : googleError(status, 'FAILED_PRECONDITION', `Request failed with status ${status}.`);
  }
}

/** The four ratings the API sends, the given category HIGH and blocked, the others NEGLIGIBLE. */
function safetyRatings(category: `${HarmCategory}`): WireRating[] {
  const all: Array<`${HarmCategory}`> = [
    'HARM_CATEGORY_SEXUALLY_EXPLICIT',
    'HARM_CATEGORY_HATE_SPEECH',
    'HARM_CATEGORY_HARASSMENT',
    'HARM_CATEGORY_DANGEROUS_CONTENT',
  ];
  const categories = all.includes(category) ? all : [...all, category];
  return categories.map((c) =>
    c === category ? { category: c, probability: 'HIGH', blocked: true } : { category: c, probability: 'NEGLIGIBLE' },
  );
}

const textOf = (content: Content | undefined): string => (content?.parts ?? []).map((p) => p.text ?? '').join('');

export async function startGeminiFake(options: GeminiFakeOptions = {}): Promise<GeminiFake> {
  const initialKeys = options.validKeys ?? ['AIza-fake-gemini'];
  const initialModels = (options.models ?? DEFAULT_GEMINI_MODELS).map((m) => (typeof m === 'string' ? { id: m } : m));
  const requests: LoggedRequest[] = [];
  const failures = new FailureQueue<null, GeminiFailure>();
  const streamFaults = new FailureQueue<null, GeminiStreamFault>();
  const tally = newTally();
  let responder: (req: GeminiRequest) => string | Promise<string> = defaultAnswer;
  let fixedUsage: Partial<Pick<GenerateContentResponseUsageMetadata, 'promptTokenCount' | 'candidatesTokenCount'>> | null = null;
  let minute: number[] = [];
  let rateLimitedCount = 0;
  /** The per-minute quota: undefined when this request may go, else the wait until it may. */
  const overQuota = (): number | undefined => {
    const limit = fake.requestsPerMinute;
    if (!limit) return undefined;
    const now = Date.now();
    minute = minute.filter((at) => now - at < 60_000);
    if (minute.length < limit) {
      minute.push(now);
      return undefined;
    }
    return minute[0] + 60_000 - now;
  };

  const sendFailure = (res: http.ServerResponse, failure: GeminiFailure) => {
    if (failure.hang) return;
    const body = failure.body ?? defaultFailureBody(failure.status);
    if (typeof body === 'string') {
      res.writeHead(failure.status, { 'content-type': 'text/plain', ...failure.headers });
      res.end(body);
    } else {
      sendJson(res, failure.status, body, failure.headers);
    }
  };

  function wireModel(m: GeminiModelInfo): WireModel {
    const pro = m.id.includes('pro');
    return {
      name: `models/${m.id}`,
      version: m.version ?? '001',
      displayName: m.displayName ?? m.id,
      description: m.description ?? m.displayName ?? m.id,
      inputTokenLimit: 1_048_576,
      outputTokenLimit: 65_536,
      supportedGenerationMethods: m.methods ?? GENERATE_METHODS,
      temperature: 1,
      maxTemperature: 2,
      topP: 0.95,
      topK: 64,
      thinking: pro || m.id.includes('2.5'),
    };
  }

  function usage(promptText: string, text: string): GenerateContentResponseUsageMetadata {
    const promptTokenCount = fixedUsage?.promptTokenCount ?? estimateTokens(promptText);
    const candidatesTokenCount = fixedUsage?.candidatesTokenCount ?? estimateTokens(text);
    return { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount };
  }

  async function generate(res: http.ServerResponse, logged: LoggedRequest, apiVersion: string, modelId: string, stream: boolean) {
    const model = fake.models.find((m) => m.id === modelId);
    if (!model || !(model.methods ?? GENERATE_METHODS).includes('generateContent')) {
      sendJson(
        res,
        404,
        googleError(
          404,
          'NOT_FOUND',
          `models/${modelId} is not found for API version ${apiVersion}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
        ),
      );
      return;
    }
    const body = (logged.body && typeof logged.body === 'object' ? logged.body : {}) as Record<string, any>;
    const contents: Content[] = Array.isArray(body.contents) ? body.contents : [];
    if (!contents.length) {
      sendJson(res, 400, googleError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified\n'));
      return;
    }
    const jsonModeProblem = geminiJsonModeProblem(body.generationConfig);
    if (jsonModeProblem) {
      sendJson(res, 400, googleError(400, 'INVALID_ARGUMENT', jsonModeProblem));
      return;
    }
    const inStreamFailure = stream ? failures.take((_m, f) => !!f.inStream && (!f.path || f.path.test(logged.path))) : undefined;
    const prompt = textOf([...contents].reverse().find((c) => c.role !== 'model'));
    let text = await responder({
      model: modelId,
      apiVersion,
      contents,
      systemInstruction: body.systemInstruction,
      generationConfig: body.generationConfig,
      prompt,
      stream,
    });
    let finishReason: `${FinishReason}` = 'STOP';
    const maxTokens = body.generationConfig?.maxOutputTokens;
    if (typeof maxTokens === 'number' && estimateTokens(text) > maxTokens) {
      text = text.slice(0, maxTokens * 4);
      finishReason = 'MAX_TOKENS';
    }
    const promptText = [textOf(body.systemInstruction), ...contents.map(textOf)].join('\n');
    const responseId = randomBytes(9).toString('base64url');
    const frame = (part: string, final: boolean): WireResponse => ({
      candidates: [{ content: { parts: [{ text: part }], role: 'model' }, index: 0, ...(final ? { finishReason } : {}) }],
      ...(final ? { usageMetadata: usage(promptText, text) } : {}),
      modelVersion: modelId,
      responseId,
    });

    if (!stream) {
      sendJson(res, 200, frame(text, true));
      return;
    }
    const fault = streamFaults.take(() => true);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    const play = streamTo(res, tally);
    const deltas = splitIntoDeltas(text, 4);
    if (!deltas.length) deltas.push('');
    let frames: unknown[];
    let drop = false;
    if (inStreamFailure) {
      frames = [...deltas.slice(0, 2).map((d) => frame(d, false)), inStreamFailure.body ?? defaultFailureBody(inStreamFailure.status)];
    } else if (fault) {
      const first = deltas.slice(0, 'afterChunks' in fault ? (fault.afterChunks ?? 2) : 2);
      const sent = first.join('');
      const textFrames = first.map((d) => frame(d, false));
      const usageSoFar = usage(promptText, sent);
      switch (fault.kind) {
        case 'drop':
          frames = textFrames;
          drop = true;
          break;
        case 'noFinish':
          frames = textFrames;
          break;
        case 'empty':
          frames = [
            {
              candidates: [{ content: { role: 'model' }, finishReason: 'STOP', index: 0 }],
              usageMetadata: usage(promptText, ''),
              modelVersion: modelId,
              responseId,
            } satisfies WireResponse,
          ];
          break;
        case 'safety': {
          const finish = fault.finishReason ?? 'SAFETY';
          const ratings = finish === 'RECITATION' ? undefined : safetyRatings(fault.category ?? 'HARM_CATEGORY_DANGEROUS_CONTENT');
          frames = [
            ...textFrames,
            {
              candidates: [{ finishReason: finish, index: 0, ...(ratings ? { safetyRatings: ratings } : {}) }],
              usageMetadata: usageSoFar,
              modelVersion: modelId,
              responseId,
            } satisfies WireResponse,
          ];
          break;
        }
        case 'promptBlocked': {
          const blockReason = fault.blockReason ?? 'SAFETY';
          const promptTokenCount = fixedUsage?.promptTokenCount ?? estimateTokens(promptText);
          frames = [
            {
              promptFeedback: {
                blockReason,
                ...(blockReason === 'SAFETY' ? { safetyRatings: safetyRatings(fault.category ?? 'HARM_CATEGORY_DANGEROUS_CONTENT') } : {}),
              },
              usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount },
              modelVersion: modelId,
              responseId,
            } satisfies WireResponse,
          ];
          break;
        }
        case 'maxTokens': {
          const last = textFrames.length ? textFrames.length - 1 : -1;
          const finishReason = (fault.finishReason ?? 'MAX_TOKENS') as FinishReason;
          frames = textFrames.map((f, i) =>
            i === last
              ? ({ ...f, candidates: [{ ...f.candidates![0], finishReason }], usageMetadata: usageSoFar } satisfies WireResponse)
              : f,
          );
          if (last < 0)
            frames = [
              {
                candidates: [{ content: { role: 'model' }, finishReason, index: 0 }],
                usageMetadata: usageSoFar,
                modelVersion: modelId,
                responseId,
              } satisfies WireResponse,
            ];
          break;
        }
      }
    } else {
      frames = deltas.map((d, i) => frame(d, i === deltas.length - 1));
    }
    await play(
      frames.map((f) => `data: ${typeof f === 'string' ? f : JSON.stringify(f)}\r\n\r\n`),
      () => fake.chunkDelayMs,
      { drop, complete: !inStreamFailure && !fault },
    );
  }

  function listModels(res: http.ServerResponse, logged: LoggedRequest) {
    const pageSize = Math.min(Number(logged.query.pageSize) || 50, 1000);
    const start = logged.query.pageToken ? Number(Buffer.from(String(logged.query.pageToken), 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0 || start > fake.models.length) {
      sendJson(res, 400, googleError(400, 'INVALID_ARGUMENT', 'Invalid page token.'));
      return;
    }
    const slice = fake.models.slice(start, start + pageSize).map(wireModel);
    const next = start + pageSize < fake.models.length ? Buffer.from(String(start + pageSize)).toString('base64url') : undefined;
    // An empty nextPageToken would make the SDK fetch another page, so the field is omitted on the last one.
    sendJson(res, 200, next ? { models: slice, nextPageToken: next } : { models: slice });
  }

  const server = await startServer(async (req, res, logged) => {
    requests.push(logged);
    const injected = failures.take((_m, f) => !f.inStream && (!f.path || f.path.test(logged.path)));
    if (injected) {
      sendFailure(res, injected);
      return;
    }
    const key = String(req.headers['x-goog-api-key'] ?? logged.query.key ?? '').trim();
    if (!key) {
      sendJson(res, 403, defaultFailureBody(403));
      return;
    }
    if (!fake.acceptAnyKey && !fake.validKeys.has(key)) {
      sendJson(res, 400, API_KEY_INVALID);
      return;
    }
    const route = /^\/(v1|v1beta|v1alpha)\/models(?:\/([^/:]+)(?::(\w+))?)?$/.exec(logged.path);
    if (!route) {
      sendJson(res, 404, googleError(404, 'NOT_FOUND', `The requested URL ${logged.path} was not found on this server.`));
      return;
    }
    const [, apiVersion, model, action] = route;
    if (logged.method === 'GET' && !model) return listModels(res, logged);
    if (logged.method === 'GET' && model && !action) {
      const found = fake.models.find((m) => m.id === model);
      if (found) sendJson(res, 200, wireModel(found));
      else sendJson(res, 404, googleError(404, 'NOT_FOUND', `models/${model} is not found for API version ${apiVersion}.`));
      return;
    }
    if (logged.method === 'POST' && model && (action === 'generateContent' || action === 'streamGenerateContent')) {
      if (action === 'streamGenerateContent' && logged.query.alt !== 'sse') {
        // Without alt=sse the real API streams a JSON array; the SDK always asks for SSE.
        sendJson(res, 400, googleError(400, 'INVALID_ARGUMENT', 'This fake only serves streamGenerateContent with alt=sse.'));
        return;
      }
      const wait = overQuota();
      if (wait !== undefined) {
        rateLimitedCount++;
        sendFailure(
          res,
          geminiErrors.rateLimitPerMinute({ model, limit: fake.requestsPerMinute, retryDelay: `${(wait / 1000).toFixed(9)}s` }),
        );
        return;
      }
      await generate(res, logged, apiVersion, model, action === 'streamGenerateContent');
      return;
    }
    sendJson(res, 404, googleError(404, 'NOT_FOUND', `The requested URL ${logged.path} was not found on this server.`));
  }, options.port);

  const fake: GeminiFake = {
    url: server.url,
    close: () => server.close(),
    validKeys: new Set(initialKeys),
    acceptAnyKey: options.acceptAnyKey ?? false,
    models: initialModels.map((m) => ({ ...m })),
    chunkDelayMs: options.chunkDelayMs ?? 0,
    requests,
    get abortedStreams() {
      return tally.aborted;
    },
    get completedStreams() {
      return tally.completed;
    },
    get droppedStreams() {
      return tally.dropped;
    },
    respondWith(fn) {
      responder = fn;
    },
    requestsPerMinute: options.requestsPerMinute,
    get rateLimitedCount() {
      return rateLimitedCount;
    },
    failNext(failure, times = 1) {
      failures.add(null, failure, times);
    },
    failStreamNext(fault, times = 1) {
      streamFaults.add(null, fault, times);
    },
    setUsage(value) {
      fixedUsage = value;
    },
    reset() {
      requests.length = 0;
      failures.clear();
      streamFaults.clear();
      Object.assign(tally, newTally());
      fixedUsage = null;
      minute = [];
      rateLimitedCount = 0;
      responder = defaultAnswer;
      fake.validKeys = new Set(initialKeys);
      fake.models = initialModels.map((m) => ({ ...m }));
    },
  };
  return fake;
}

/** Markdown about the prompt; in JSON mode, JSON that fits the request's schema, as Gemini's structured output gives. */
function defaultAnswer(req: GeminiRequest): string {
  const schema = geminiSchema(req.generationConfig);
  return schema ? JSON.stringify(exampleFor(schema)) : defaultGeneratedMarkdown(req.prompt);
}
