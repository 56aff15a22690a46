// Loopback stand-in for the Gemini Developer API (generativelanguage.googleapis.com), in the wire format
// @google/genai parses. See /work/shared/reference/wire-protocols.md §3.
import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import type { Candidate, Content, FinishReason, GenerateContentResponse, GenerateContentResponseUsageMetadata, Model } from '@google/genai/web';
import { defaultGeneratedMarkdown } from './generatedMarkdown';
import { FailureQueue, type LoggedRequest, estimateTokens, sendJson, sleep, splitIntoDeltas, startServer, watchAbort, writeFrame } from './server';

/** Candidates as sent on the wire: enums are plain strings there. */
type WireCandidate = Omit<Candidate, 'finishReason'> & { finishReason?: `${FinishReason}` };
type WireResponse = Pick<GenerateContentResponse, 'modelVersion' | 'responseId' | 'usageMetadata'> & { candidates: WireCandidate[] };
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
  /** Fail after the stream started: a few chunks, then a `data: {"error": …}` frame. */
  inStream?: boolean;
  path?: RegExp;
}

export interface GeminiModelInfo {
  id: string;
  displayName?: string;
  methods?: string[];
}

export interface GeminiFakeOptions {
  validKeys?: string[];
  /** Demo mode: any non-empty key is accepted. */
  acceptAnyKey?: boolean;
  models?: Array<string | GeminiModelInfo>;
  chunkDelayMs?: number;
  port?: number;
}

export interface GeminiFake {
  /** baseUrl for the SDK (no version segment). */
  readonly url: string;
  close(): Promise<void>;
  validKeys: Set<string>;
  acceptAnyKey: boolean;
  models: GeminiModelInfo[];
  chunkDelayMs: number;
  readonly requests: LoggedRequest[];
  readonly abortedStreams: number;
  readonly completedStreams: number;
  respondWith(fn: (req: GeminiRequest) => string | Promise<string>): void;
  failNext(failure: GeminiFailure, times?: number): void;
  setUsage(usage: Partial<Pick<GenerateContentResponseUsageMetadata, 'promptTokenCount' | 'candidatesTokenCount'>> | null): void;
  reset(): void;
}

export const DEFAULT_GEMINI_MODELS: GeminiModelInfo[] = [
  { id: 'gemini-2.5-flash', displayName: 'Gemini 2.5 Flash' },
  { id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro' },
  { id: 'gemini-2.5-flash-lite', displayName: 'Gemini 2.5 Flash-Lite' },
  { id: 'gemini-embedding-001', displayName: 'Gemini Embedding 001', methods: ['embedContent', 'countTokens'] },
];

const GENERATE_METHODS = ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];

function googleError(code: number, status: string, message: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

const API_KEY_INVALID = googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
  {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'API_KEY_INVALID',
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  },
  { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
]);

function defaultFailureBody(status: number): unknown {
  switch (status) {
    case 400:
      return API_KEY_INVALID;
    case 403:
      return googleError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
    case 404:
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    case 429:
      return googleError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.', [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' },
      ]);
    case 503:
      return googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    default:
      return status >= 500
        ? googleError(status, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting')
        : googleError(status, 'FAILED_PRECONDITION', `Request failed with status ${status}.`);
  }
}

const textOf = (content: Content | undefined): string => (content?.parts ?? []).map((p) => p.text ?? '').join('');

export async function startGeminiFake(options: GeminiFakeOptions = {}): Promise<GeminiFake> {
  const initialKeys = options.validKeys ?? ['AIza-fake-gemini'];
  const initialModels = (options.models ?? DEFAULT_GEMINI_MODELS).map((m) => (typeof m === 'string' ? { id: m } : m));
  const requests: LoggedRequest[] = [];
  const failures = new FailureQueue<null, GeminiFailure>();
  let responder: (req: GeminiRequest) => string | Promise<string> = (req) => defaultGeneratedMarkdown(req.prompt);
  let fixedUsage: Partial<Pick<GenerateContentResponseUsageMetadata, 'promptTokenCount' | 'candidatesTokenCount'>> | null = null;
  let abortedStreams = 0;
  let completedStreams = 0;

  const sendFailure = (res: http.ServerResponse, failure: GeminiFailure) => {
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
      version: '001',
      displayName: m.displayName ?? m.id,
      description: `Fake ${m.displayName ?? m.id}`,
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
        googleError(404, 'NOT_FOUND', `models/${modelId} is not found for API version ${apiVersion}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`),
      );
      return;
    }
    const body = (logged.body && typeof logged.body === 'object' ? logged.body : {}) as Record<string, any>;
    const contents: Content[] = Array.isArray(body.contents) ? body.contents : [];
    if (!contents.length) {
      sendJson(res, 400, googleError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified\n'));
      return;
    }
    const inStreamFailure = stream ? failures.take((_m, f) => !!f.inStream && (!f.path || f.path.test(logged.path))) : undefined;
    const prompt = textOf([...contents].reverse().find((c) => c.role !== 'model'));
    let text = await responder({ model: modelId, apiVersion, contents, systemInstruction: body.systemInstruction, generationConfig: body.generationConfig, prompt, stream });
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
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    const watch = watchAbort(res, () => abortedStreams++);
    const deltas = splitIntoDeltas(text, 4);
    if (!deltas.length) deltas.push('');
    const frames = inStreamFailure
      ? [...deltas.slice(0, 2).map((d) => frame(d, false)), inStreamFailure.body ?? defaultFailureBody(inStreamFailure.status)]
      : deltas.map((d, i) => frame(d, i === deltas.length - 1));
    for (const f of frames) {
      if (watch.aborted || !writeFrame(res, `data: ${typeof f === 'string' ? f : JSON.stringify(f)}\r\n\r\n`)) return;
      await sleep(fake.chunkDelayMs);
    }
    if (watch.aborted) return;
    res.end();
    if (!inStreamFailure) completedStreams++;
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
      return abortedStreams;
    },
    get completedStreams() {
      return completedStreams;
    },
    respondWith(fn) {
      responder = fn;
    },
    failNext(failure, times = 1) {
      failures.add(null, failure, times);
    },
    setUsage(value) {
      fixedUsage = value;
    },
    reset() {
      requests.length = 0;
      failures.clear();
      fixedUsage = null;
      abortedStreams = 0;
      completedStreams = 0;
      responder = (req) => defaultGeneratedMarkdown(req.prompt);
      fake.validKeys = new Set(initialKeys);
      fake.models = initialModels.map((m) => ({ ...m }));
    },
  };
  return fake;
}
