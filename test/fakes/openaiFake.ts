// Loopback stand-in for the OpenAI API (/v1/chat/completions and /v1/models), in the wire format openai 7.x parses.
// See /work/shared/reference/wire-protocols.md §2.
import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import type OpenAI from 'openai';
import { defaultGeneratedMarkdown } from './generatedMarkdown';
import { exampleFor, openaiJsonModeProblem, openaiSchema } from './jsonMode';
import { FailureQueue, type LoggedRequest, estimateTokens, sendJson, splitIntoDeltas, startServer, newTally, streamTo } from './server';

type ChatCompletionChunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type ChatCompletion = OpenAI.Chat.Completions.ChatCompletion;
type CompletionUsage = OpenAI.CompletionUsage;
type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

export interface OpenAIChatRequest {
  model: string;
  messages: ChatMessage[];
  /** Text of the last user message, what the default responder writes about. */
  prompt: string;
  stream: boolean;
  body: Record<string, unknown>;
}

export interface OpenAIFailure {
  status: number;
  /** Error body; defaults to OpenAI's body for the status. Objects are sent as JSON, strings verbatim. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer, not even headers, until the client gives up (a server that took the request and hung); `status` is ignored. */
  hang?: boolean;
  /** Fail after the stream started: a few deltas, then a `data: {"error": …}` frame. */
  inStream?: boolean;
  /** Only requests whose path matches; default: any request (in-stream failures: streaming completions). */
  path?: RegExp;
}

/**
 * How the next streamed chat completion goes wrong (streaming requests only). `afterChunks` counts the content
 * deltas sent first (default 2).
 * - `drop`: the connection is destroyed after the deltas: no finish_reason, no usage, no `[DONE]`;
 * - `noFinish`: the stream ends cleanly after the deltas without any finish_reason or usage (`[DONE]` unless
 *   `done: false`);
 * - `empty`: the role chunk, then finish_reason "stop" with no content at all, then usage;
 * - `contentFilter`: the deltas, then finish_reason "content_filter"; with `categories` each choice carries
 *   Azure OpenAI's `content_filter_results` with those categories filtered (e.g. ["violence"]);
 * - `length`: the deltas, then finish_reason "length" and usage (see setUsage).
 */
type OpenAIStreamFault =
  | { kind: 'drop'; afterChunks?: number }
  | { kind: 'noFinish'; afterChunks?: number; done?: boolean }
  | { kind: 'empty' }
  | { kind: 'contentFilter'; afterChunks?: number; categories?: string[] }
  | { kind: 'length'; afterChunks?: number };

export interface OpenAIFakeOptions {
  validKeys?: string[];
  /** Demo mode: any non-empty key is accepted. */
  acceptAnyKey?: boolean;
  /**
   * A compatible server that needs no key (Ollama, LM Studio): requests without an Authorization header
   * are served, and a Bearer key is accepted whatever it is. Off: every request needs one of `validKeys`,
   * as at OpenAI.
   */
  keyless?: boolean;
  models?: string[];
  chunkDelayMs?: number;
  port?: number;
}

export interface OpenAIFake {
  /** baseURL for the SDK, ending in /v1. */
  readonly url: string;
  close(): Promise<void>;
  validKeys: Set<string>;
  acceptAnyKey: boolean;
  keyless: boolean;
  /** The model ids `/v1/models` lists, in this order (OpenAI's own order is not by date either). */
  models: string[];
  /** `created` of a listed model: OpenAI's real timestamps for the ids in OPENAI_MODEL_CREATED, else set here. */
  created: Record<string, number>;
  /** `shutdown_date` of a listed model (YYYY-MM-DD, or null: none announced), as /v1/models gives it; absent: the field is left out. */
  shutdownDates: Record<string, string | null>;
  chunkDelayMs: number;
  /** How the answer is cut into stream deltas (default: three words each). */
  splitDeltas: (text: string) => string[];
  readonly requests: LoggedRequest[];
  /** Streams cut off by the client before they finished. */
  readonly abortedStreams: number;
  /** Streams that ran to completion. */
  readonly completedStreams: number;
  /** Streams the fake itself cut (`drop` faults). */
  readonly droppedStreams: number;
  respondWith(fn: (req: OpenAIChatRequest) => string | Promise<string>): void;
  failNext(failure: OpenAIFailure, times?: number): void;
  /** The next `times` streamed completions go wrong as `fault` describes. */
  failStreamNext(fault: OpenAIStreamFault, times?: number): void;
  /** Fixed usage numbers for the following responses; null returns to estimates from the text. */
  setUsage(usage: Partial<Pick<CompletionUsage, 'prompt_tokens' | 'completion_tokens'>> | null): void;
  reset(): void;
}

/** Today's recommended models (src/services/engines/modelCatalog.json), then older ones tests still name. */
export const DEFAULT_OPENAI_MODELS = ['gpt-6.1-terra', 'gpt-6-luna', 'gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-4.1'];

/**
 * `created` as OpenAI's /v1/models reports it for some ids (Unix seconds): the list is ordered neither by
 * it nor by name, and dated snapshots sit beside their aliases.
 */
export const OPENAI_MODEL_CREATED: Readonly<Record<string, number>> = {
  'gpt-4o': 1715367049,
  'gpt-4o-2024-05-13': 1715368132,
  'gpt-4o-mini-2024-07-18': 1721172717,
  'gpt-4o-mini': 1721172741,
  'gpt-4o-mini-search-preview': 1741391161,
  'o4-mini': 1744225351,
  'gpt-4.1-2025-04-14': 1744315746,
  'gpt-4.1': 1744316542,
  'gpt-4.1-mini-2025-04-14': 1744317547,
  'gpt-4.1-mini': 1744318173,
  'whisper-1': 1677532384,
  'text-embedding-3-small': 1705948997,
};

/** Who `/v1/models` says owns a model: most are "system", a few older ones "openai-internal". */
const OWNED_BY: Readonly<Record<string, string>> = {
  'whisper-1': 'openai-internal',
  'tts-1': 'openai-internal',
  'text-embedding-ada-002': 'openai-internal',
};

/** How OpenAI echoes a wrong key: the first and last few characters around a run of stars. */
function maskKey(key: string): string {
  if (key.length <= 8) return key.replace(/./g, '*');
  return `${key.slice(0, 3)}${'*'.repeat(Math.max(4, key.length - 7))}${key.slice(-4)}`;
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

function defaultFailureBody(status: number): unknown {
  switch (status) {
    case 400:
      return errorBody('Invalid request.', 'invalid_request_error', null);
    case 401:
      return errorBody(
        'Incorrect API key provided: sk-fa****************pen. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      );
    case 403:
      return errorBody('Project does not have access to this model.', 'invalid_request_error', 'model_not_found');
    case 404:
      return errorBody('The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found');
    case 429:
      return errorBody('Rate limit reached for requests. Please try again in 20ms.', 'requests', 'rate_limit_exceeded');
    default:
      return status >= 500
        ? errorBody('The server had an error while processing your request. Sorry about that!', 'server_error', null)
        : errorBody(`Request failed with status ${status}.`, 'invalid_request_error', null);
  }
}

/** The canned insufficient-quota 429 (retried by the SDK like any 429, but permanent in reality). */
export const INSUFFICIENT_QUOTA_BODY = errorBody(
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
  'insufficient_quota',
  'insufficient_quota',
);

/**
 * Error responses as OpenAI sends them, ready for `failNext` (wire-protocols.md §2.5). Both 429s say
 * "quota" or "rate limit" in prose and link docs; `code` and `type` tell them apart. Real 429s carry no
 * `retry-after-ms`, so the SDK backs off ~0.5 s and 1 s between its retries: pass `retryAfterMs: 0` to keep
 * a test fast (the SDK retries at once), and fail `times: 3` to outlast its two retries.
 */
export const openaiErrors = {
  /** 429 rate_limit_exceeded on requests (RPM) or tokens (TPM) per minute, with the x-ratelimit-* headers. */
  rateLimit(
    options: { type?: 'requests' | 'tokens'; model?: string; reset?: string; retryAfterMs?: number; retryAfter?: string } = {},
  ): OpenAIFailure {
    const type = options.type ?? 'requests';
    const model = options.model ?? 'gpt-4o-mini';
    const reset = options.reset ?? (type === 'requests' ? '20s' : '6m0s');
    const message =
      type === 'requests'
        ? `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${reset}. Visit https://platform.openai.com/account/rate-limits to learn more.`
        : `Rate limit reached for ${model} in organization org-fake on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in ${reset}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
    return {
      status: 429,
      body: errorBody(message, type, 'rate_limit_exceeded'),
      headers: {
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': type === 'requests' ? '0' : '2',
        'x-ratelimit-reset-requests': type === 'requests' ? reset : '20s',
        'x-ratelimit-limit-tokens': '30000',
        'x-ratelimit-remaining-tokens': type === 'tokens' ? '0' : '29000',
        'x-ratelimit-reset-tokens': type === 'tokens' ? reset : '2ms',
        ...(options.retryAfterMs !== undefined ? { 'retry-after-ms': String(options.retryAfterMs) } : {}),
        ...(options.retryAfter !== undefined ? { 'retry-after': options.retryAfter } : {}),
      },
    };
  },
  /** 429 insufficient_quota: the account is out of credit. No x-should-retry, as from OpenAI. */
  insufficientQuota(options: { retryAfterMs?: number } = {}): OpenAIFailure {
    return {
      status: 429,
      body: INSUFFICIENT_QUOTA_BODY,
      ...(options.retryAfterMs !== undefined ? { headers: { 'retry-after-ms': String(options.retryAfterMs) } } : {}),
    };
  },
  /** 401 invalid_api_key with the masked key. */
  invalidKey(key = 'sk-fake-wrong-key-1234'): OpenAIFailure {
    return {
      status: 401,
      body: errorBody(
        `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        'invalid_api_key',
      ),
    };
  },
  /** 403 from a region OpenAI does not serve. */
  permissionDenied(): OpenAIFailure {
    return {
      status: 403,
      body: errorBody('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'),
    };
  },
  /** 500 server_error; add `x-should-retry: false` through `headers` to skip the SDK's retries. */
  serverError(headers?: Record<string, string>): OpenAIFailure {
    return { status: 500, body: defaultFailureBody(500), ...(headers ? { headers } : {}) };
  },
};

function messageText(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => ('text' in part ? part.text : '')).join('');
  return '';
}

export async function startOpenAIFake(options: OpenAIFakeOptions = {}): Promise<OpenAIFake> {
  const initialKeys = options.validKeys ?? ['sk-fake-openai'];
  const requests: LoggedRequest[] = [];
  const failures = new FailureQueue<null, OpenAIFailure>();
  const streamFaults = new FailureQueue<null, OpenAIStreamFault>();
  const tally = newTally();
  let responder: (req: OpenAIChatRequest) => string | Promise<string> = defaultAnswer;
  let fixedUsage: Partial<Pick<CompletionUsage, 'prompt_tokens' | 'completion_tokens'>> | null = null;
  const created = Math.floor(Date.now() / 1000);

  const requestId = () => `req_${randomBytes(16).toString('hex')}`;
  const headersFor = () => ({ 'x-request-id': requestId(), 'openai-processing-ms': '12' });

  function usageFor(promptText: string, completion: string): CompletionUsage {
    const prompt_tokens = fixedUsage?.prompt_tokens ?? estimateTokens(promptText);
    const completion_tokens = fixedUsage?.completion_tokens ?? estimateTokens(completion);
    return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
  }

  function sendFailure(res: http.ServerResponse, failure: OpenAIFailure) {
    if (failure.hang) return;
    const body = failure.body ?? defaultFailureBody(failure.status);
    const headers = { ...headersFor(), ...failure.headers };
    if (typeof body === 'string') {
      res.writeHead(failure.status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    } else {
      sendJson(res, failure.status, body, headers);
    }
  }

  function checkAuth(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    // A server that needs no key serves every request; it ignores a key it is given.
    if (fake.keyless) return true;
    const key = /^Bearer\s+(.*)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
    if (!key) {
      sendJson(
        res,
        401,
        errorBody(
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          'invalid_request_error',
          null,
        ),
        headersFor(),
      );
      return false;
    }
    if (fake.acceptAnyKey || fake.validKeys.has(key)) return true;
    sendJson(
      res,
      401,
      errorBody(
        `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        'invalid_api_key',
      ),
      headersFor(),
    );
    return false;
  }

  async function chatCompletions(req: http.IncomingMessage, res: http.ServerResponse, logged: LoggedRequest) {
    const body = (logged.body && typeof logged.body === 'object' ? logged.body : {}) as Record<string, any>;
    const stream = body.stream === true;
    const model = body.model;
    if (typeof model !== 'string' || !model) {
      sendJson(res, 400, errorBody('you must provide a model parameter', 'invalid_request_error', null), headersFor());
      return;
    }
    if (!fake.models.includes(model)) {
      sendJson(
        res,
        404,
        errorBody(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'),
        headersFor(),
      );
      return;
    }
    const messages: ChatMessage[] = Array.isArray(body.messages) ? body.messages : [];
    if (!messages.length) {
      sendJson(res, 400, errorBody("[] is too short - 'messages'", 'invalid_request_error', null, 'messages'), headersFor());
      return;
    }
    const jsonModeProblem = openaiJsonModeProblem(body);
    if (jsonModeProblem) {
      sendJson(res, 400, errorBody(jsonModeProblem.message, 'invalid_request_error', null, jsonModeProblem.param), headersFor());
      return;
    }
    const inStreamFailure = stream ? failures.take((_m, f) => !!f.inStream && (!f.path || f.path.test(logged.path))) : undefined;
    const prompt = messageText([...messages].reverse().find((m) => m.role === 'user'));
    let text = await responder({ model, messages, prompt, stream, body });
    let finish: 'stop' | 'length' = 'stop';
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    if (typeof maxTokens === 'number' && estimateTokens(text) > maxTokens) {
      text = text.slice(0, maxTokens * 4);
      finish = 'length';
    }
    const usage = usageFor(messages.map(messageText).join('\n'), text);
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const createdAt = Math.floor(Date.now() / 1000);

    if (!stream) {
      const completion: ChatCompletion = {
        id,
        object: 'chat.completion',
        created: createdAt,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null, annotations: [] },
            finish_reason: finish,
            logprobs: null,
          },
        ],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
      };
      sendJson(res, 200, completion, headersFor());
      return;
    }

    const chunk = (choices: ChatCompletionChunk['choices'], extra: Partial<ChatCompletionChunk> = {}): string => {
      const frame: ChatCompletionChunk = {
        id,
        object: 'chat.completion.chunk',
        created: createdAt,
        model,
        system_fingerprint: 'fp_fake',
        choices,
        ...extra,
      };
      return `data: ${JSON.stringify(frame)}\n\n`;
    };
    const fault = streamFaults.take(() => true);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headersFor(),
    });
    const play = streamTo(res, tally);
    const frames: string[] = [
      chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null, logprobs: null }]),
    ];
    let deltas = fake.splitDeltas(text);
    if (inStreamFailure) deltas = deltas.slice(0, 2);
    if (fault) deltas = fault.kind === 'empty' ? [] : deltas.slice(0, fault.afterChunks ?? 2);
    const filterResults =
      fault?.kind === 'contentFilter' && fault.categories
        ? {
            content_filter_results: Object.fromEntries(
              ['hate', 'self_harm', 'sexual', 'violence', ...fault.categories].map((c) => [
                c,
                fault.categories!.includes(c) ? { filtered: true, severity: 'high' } : { filtered: false, severity: 'safe' },
              ]),
            ),
          }
        : {};
    for (const delta of deltas)
      frames.push(chunk([{ index: 0, delta: { content: delta }, finish_reason: null, logprobs: null, ...filterResults }]));
    const sentUsage = () => (fault ? usageFor(messages.map(messageText).join('\n'), deltas.join('')) : usage);
    let drop = false;
    if (inStreamFailure) {
      const error = inStreamFailure.body ?? defaultFailureBody(inStreamFailure.status);
      frames.push(`data: ${typeof error === 'string' ? error : JSON.stringify(error)}\n\n`);
    } else if (fault?.kind === 'drop') {
      drop = true;
    } else if (fault?.kind === 'noFinish') {
      if (fault.done !== false) frames.push('data: [DONE]\n\n');
    } else {
      const reason = fault?.kind === 'contentFilter' ? 'content_filter' : fault?.kind === 'length' ? 'length' : finish;
      frames.push(chunk([{ index: 0, delta: {}, finish_reason: reason, logprobs: null, ...filterResults }]));
      if (body.stream_options?.include_usage) frames.push(chunk([], { usage: sentUsage() }));
      frames.push('data: [DONE]\n\n');
    }
    await play(frames, () => fake.chunkDelayMs, { drop, complete: !fault });
  }

  const server = await startServer(async (req, res, logged) => {
    requests.push(logged);
    const path = logged.path.replace(/\/+$/, '');
    const injected = failures.take((_m, f) => !f.inStream && (!f.path || f.path.test(logged.path)));
    if (injected) {
      sendFailure(res, injected);
      return;
    }
    if (!checkAuth(req, res)) return;
    if (logged.method === 'POST' && path === '/v1/chat/completions') {
      await chatCompletions(req, res, logged);
      return;
    }
    if (logged.method === 'GET' && path === '/v1/models') {
      const data: OpenAI.Models.Model[] = fake.models.map(modelObject);
      sendJson(res, 200, { object: 'list', data }, headersFor());
      return;
    }
    const model = /^\/v1\/models\/(.+)$/.exec(path)?.[1];
    if (logged.method === 'GET' && model) {
      if (fake.models.includes(model)) sendJson(res, 200, modelObject(model), headersFor());
      else
        sendJson(
          res,
          404,
          errorBody(`The model '${model}' does not exist`, 'invalid_request_error', 'model_not_found', 'model'),
          headersFor(),
        );
      return;
    }
    sendJson(res, 404, errorBody(`Invalid URL (${logged.method} ${logged.path})`, 'invalid_request_error', null), headersFor());
  }, options.port);

  function modelObject(id: string): OpenAI.Models.Model {
    return {
      id,
      object: 'model',
      created: fake.created[id] ?? OPENAI_MODEL_CREATED[id] ?? created,
      owned_by: OWNED_BY[id] ?? 'system',
      ...(id in fake.shutdownDates ? { shutdown_date: fake.shutdownDates[id] } : {}),
    };
  }

  const fake: OpenAIFake = {
    url: `${server.url}/v1`,
    close: () => server.close(),
    validKeys: new Set(initialKeys),
    acceptAnyKey: options.acceptAnyKey ?? false,
    keyless: options.keyless ?? false,
    created: {},
    shutdownDates: {},
    models: [...(options.models ?? DEFAULT_OPENAI_MODELS)],
    chunkDelayMs: options.chunkDelayMs ?? 0,
    splitDeltas: (text: string) => splitIntoDeltas(text),
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
    failNext(failure, times = 1) {
      failures.add(null, failure, times);
    },
    failStreamNext(fault, times = 1) {
      streamFaults.add(null, fault, times);
    },
    setUsage(usage) {
      fixedUsage = usage;
    },
    reset() {
      requests.length = 0;
      fake.shutdownDates = {};
      failures.clear();
      streamFaults.clear();
      Object.assign(tally, newTally());
      fixedUsage = null;
      responder = defaultAnswer;
      fake.splitDeltas = (text: string) => splitIntoDeltas(text);
      fake.validKeys = new Set(initialKeys);
      fake.keyless = options.keyless ?? false;
      fake.models = [...(options.models ?? DEFAULT_OPENAI_MODELS)];
      fake.created = {};
    },
  };
  return fake;
}

/** Markdown about the prompt; in JSON mode, JSON that fits `response_format`, as Structured Outputs gives. */
function defaultAnswer(req: OpenAIChatRequest): string {
  const schema = openaiSchema(req.body);
  return schema ? JSON.stringify(exampleFor(schema)) : defaultGeneratedMarkdown(req.prompt);
}
