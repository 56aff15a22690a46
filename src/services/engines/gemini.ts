import { ApiError, GoogleGenAI } from '@google/genai/web';
import * as l10n from '@vscode/l10n';
import { Completion, Engine, EngineError, EngineErrorKind, EngineModule, EngineOptions, GenerationRequest, JsonSchema, ModelInfo, StreamEnding, TokenUsage } from './engine';

/**
 * Gemini through the official SDK's web entry, which needs neither google-auth-library nor Node-only
 * transports. The API version is pinned: the SDK's default moved from v1beta to v1, and current models
 * and system instructions are served on v1beta.
 */
class GeminiEngine implements Engine {
  readonly kind = 'gemini' as const;
  private readonly client: GoogleGenAI;
  private lastUsage: TokenUsage | undefined;

  constructor(options: EngineOptions) {
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      apiVersion: 'v1beta',
      httpOptions: {
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        // Passing fetch keeps the SDK from looking for undici's global dispatcher, which a Node
        // extension host does not always have.
        fetch: (input, init) => fetch(input, init),
        retryOptions: { attempts: 3, httpStatusCodes: [500, 502, 503, 504] },
      },
    });
  }

  async *stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<string> {
    this.lastUsage = undefined;
    let stream;
    try {
      stream = await this.client.models.generateContentStream({
        model: request.model,
        contents: [{ role: 'user', parts: [{ text: request.prompt }] }],
        config: {
          abortSignal: signal,
          ...(request.instructions ? { systemInstruction: request.instructions } : {}),
        },
      });
    } catch (error) {
      throw toEngineError(error, signal);
    }
    try {
      for await (const chunk of stream) {
        const usage = chunk.usageMetadata;
        if (usage) {
          this.lastUsage = {
            inputTokens: usage.promptTokenCount ?? 0,
            outputTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
          };
        }
        const reason = chunk.candidates?.[0]?.finishReason;
        const text = chunk.text;
        if (text) yield text;
        if (reason === 'SAFETY' || reason === 'PROHIBITED_CONTENT' || reason === 'BLOCKLIST' || reason === 'RECITATION') {
          throw new EngineError('safety', l10n.t('Gemini stopped the answer ({0}). Rephrase the prompt and try again.', reason));
        }
        if (chunk.promptFeedback?.blockReason) {
          throw new EngineError('safety', l10n.t('Gemini blocked the prompt ({0}). Rephrase it and try again.', chunk.promptFeedback.blockReason));
        }
      }
      signal.throwIfAborted();
    } catch (error) {
      throw toEngineError(error, signal);
    }
  }

  async complete(request: GenerationRequest, signal: AbortSignal, options: { jsonSchema?: JsonSchema } = {}): Promise<Completion> {
    try {
      const response = await this.client.models.generateContent({
        model: request.model,
        contents: [{ role: 'user', parts: [{ text: request.prompt }] }],
        config: {
          abortSignal: signal,
          ...(request.instructions ? { systemInstruction: request.instructions } : {}),
          ...(options.jsonSchema ? { responseMimeType: 'application/json', responseJsonSchema: options.jsonSchema } : {}),
        },
      });
      const reason = response.candidates?.[0]?.finishReason;
      if (reason === 'SAFETY' || reason === 'PROHIBITED_CONTENT' || reason === 'BLOCKLIST' || response.promptFeedback?.blockReason) {
        throw new EngineError('safety', l10n.t('Gemini blocked this prompt or its answer. Rephrase it and try again.'));
      }
      const usage = response.usageMetadata
        ? { inputTokens: response.usageMetadata.promptTokenCount ?? 0, outputTokens: (response.usageMetadata.candidatesTokenCount ?? 0) + (response.usageMetadata.thoughtsTokenCount ?? 0) }
        : undefined;
      return { text: response.text ?? '', usage };
    } catch (error) {
      throw toEngineError(error, signal);
    }
  }

  ending(): StreamEnding | undefined {
    return undefined;
  }

  usage(): TokenUsage | undefined {
    return this.lastUsage;
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const models: ModelInfo[] = [];
    try {
      const pager = await this.client.models.list({ config: { pageSize: 100, abortSignal: signal } });
      for await (const model of pager) {
        const actions = model.supportedActions ?? [];
        if (!model.name || !actions.includes('generateContent')) continue;
        const id = model.name.replace(/^models\//, '');
        if (/embedding|aqa|imagen|veo|tts|image-generation|native-audio|live/i.test(id)) continue;
        models.push({ id, displayName: model.displayName });
      }
    } catch (error) {
      throw toEngineError(error, signal);
    }
    return sortModels(models);
  }
}

/** Newest families first ("gemini-3" before "gemini-2.5"), stable before preview and experimental. */
function sortModels(models: ModelInfo[]): ModelInfo[] {
  const version = (id: string) => Number(/gemini-(\d+(?:\.\d+)?)/.exec(id)?.[1] ?? 0);
  const unstable = (id: string) => (/preview|exp/.test(id) ? 1 : 0);
  return models.sort((a, b) => version(b.id) - version(a.id) || unstable(a.id) - unstable(b.id) || a.id.localeCompare(b.id));
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: Array<{ reason?: string }> };
}

/** The SDK puts the whole JSON error body into `message`; read the status and reason out of it. */
function toEngineError(error: unknown, signal?: AbortSignal): EngineError {
  if (EngineError.is(error)) return error;
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) {
    return new EngineError('cancelled', l10n.t('Generation was cancelled.'));
  }
  if (error instanceof ApiError) {
    let body: GoogleErrorBody = {};
    try {
      body = JSON.parse(error.message.replace(/^[^{]*/, '')) as GoogleErrorBody;
    } catch {
      // Not JSON: keep the status alone.
    }
    const status = body.error?.status ?? '';
    const reasons = (body.error?.details ?? []).map((d) => d.reason ?? '');
    const detail = body.error?.message ?? error.message;
    const kind = classify(error.status, status, reasons, detail);
    return new EngineError(kind, geminiMessage(kind, detail), error.status);
  }
  if (error instanceof Error && /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|network/i.test(`${error.message} ${String(error.cause ?? '')}`)) {
    return new EngineError('network', l10n.t('Could not reach Gemini. Check your connection or the visen.gemini.baseUrl setting.'));
  }
  return new EngineError('unknown', l10n.t('Gemini failed: {0}', error instanceof Error ? error.message : String(error)));
}

function classify(httpStatus: number, status: string, reasons: string[], message: string): EngineErrorKind {
  if (reasons.includes('API_KEY_INVALID') || httpStatus === 401 || (httpStatus === 403 && status === 'PERMISSION_DENIED')) return 'auth';
  if (httpStatus === 429 || status === 'RESOURCE_EXHAUSTED') return /quota/i.test(message) && !/per minute|rate/i.test(message) ? 'quota' : 'rateLimit';
  if (httpStatus === 404 || status === 'NOT_FOUND') return 'notFound';
  if (httpStatus === 400) return 'badRequest';
  if (httpStatus >= 500) return 'server';
  return 'unknown';
}

function geminiMessage(kind: EngineErrorKind, detail: string): string {
  switch (kind) {
    case 'auth': return l10n.t('Gemini rejected the API key. Run "Visen: Set Gemini API Key" with a key from Google AI Studio.');
    case 'quota': return l10n.t('Your Gemini quota is used up. Check your plan in Google AI Studio, or switch engine.');
    case 'rateLimit': return l10n.t('Gemini is rate limiting your key. Wait a minute and try again.');
    case 'notFound': return l10n.t('Gemini does not know this model. Run "Visen: Select Model" to pick one your key can use. ({0})', detail);
    case 'server': return l10n.t('Gemini had a server error. Try again in a moment.');
    default: return l10n.t('Gemini refused the request: {0}', detail);
  }
}

export const createEngine: EngineModule['createEngine'] = (options) => new GeminiEngine(options);

export const configureL10n: EngineModule['configureL10n'] = (contents) => l10n.config({ contents });
