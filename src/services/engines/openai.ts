import * as l10n from '@vscode/l10n';
import OpenAI from 'openai';
import { Completion, Engine, EngineError, EngineErrorKind, EngineModule, EngineOptions, GenerationRequest, JsonSchema, ModelInfo, StreamEnding, TokenUsage } from './engine';

/**
 * OpenAI and every OpenAI-compatible server (Azure, Ollama, LM Studio, proxies) through Chat Completions
 * streaming, the dialect they all speak. The SDK's own retries (429, 5xx, connection errors) stay on.
 */
class OpenAIEngine implements Engine {
  readonly kind = 'openai' as const;
  private readonly client: OpenAI;
  private lastUsage: TokenUsage | undefined;

  constructor(options: EngineOptions) {
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl || undefined,
      maxRetries: 2,
      // The extension host is Node, but the SDK must not mistake it for a browser holding a user's key.
      dangerouslyAllowBrowser: false,
    });
  }

  async *stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<string> {
    this.lastUsage = undefined;
    try {
      const stream = await this.client.chat.completions.create(
        { model: request.model, messages: messagesFor(request), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      for await (const chunk of stream) {
        if (chunk.usage) {
          this.lastUsage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        }
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (text) yield text;
        if (choice?.finish_reason === 'content_filter') {
          throw new EngineError('safety', l10n.t('OpenAI stopped the answer with its content filter. Rephrase the prompt and try again.'));
        }
      }
      // The SDK ends the iteration quietly on abort; a cancelled answer must not pass for a complete one.
      signal.throwIfAborted();
    } catch (error) {
      throw toEngineError(error, signal);
    }
  }

  async complete(request: GenerationRequest, signal: AbortSignal, options: { jsonSchema?: JsonSchema } = {}): Promise<Completion> {
    try {
      const response = await this.client.chat.completions.create(
        {
          model: request.model,
          messages: messagesFor(request),
          ...(options.jsonSchema
            ? { response_format: { type: 'json_schema', json_schema: { name: 'visen_values', schema: options.jsonSchema, strict: true } } }
            : {}),
        },
        { signal },
      );
      const choice = response.choices[0];
      if (choice?.finish_reason === 'content_filter') {
        throw new EngineError('safety', l10n.t('OpenAI stopped the answer with its content filter. Rephrase the prompt and try again.'));
      }
      const usage = response.usage ? { inputTokens: response.usage.prompt_tokens, outputTokens: response.usage.completion_tokens } : undefined;
      return { text: choice?.message?.content ?? '', usage };
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
    const models: OpenAI.Models.Model[] = [];
    try {
      for await (const model of this.client.models.list({ signal })) {
        if (!NON_TEXT_MODELS.test(model.id)) models.push(model);
      }
    } catch (error) {
      throw toEngineError(error, signal);
    }
    // Newest first: `created` is the only ordering the API gives.
    return models
      .sort((a, b) => (b.created ?? 0) - (a.created ?? 0) || a.id.localeCompare(b.id))
      .map(({ id }) => ({ id }));
  }
}

function messagesFor(request: GenerationRequest): OpenAI.Chat.Completions.ChatCompletionMessageParam[] {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  messages.push({ role: 'user', content: request.prompt });
  return messages;
}

const NON_TEXT_MODELS = /embedding|whisper|tts|dall-e|image|moderation|audio|realtime|transcribe|search|davinci|babbage|sora|computer-use/i;

function toEngineError(error: unknown, signal?: AbortSignal): EngineError {
  if (EngineError.is(error)) return error;
  if (signal?.aborted || error instanceof OpenAI.APIUserAbortError) {
    return new EngineError('cancelled', l10n.t('Generation was cancelled.'));
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new EngineError('network', l10n.t('Could not reach the OpenAI server. Check your connection or the visen.openai.baseUrl setting.'));
  }
  if (error instanceof OpenAI.APIError) {
    const detail = error.error && typeof error.error === 'object' && 'message' in error.error ? String((error.error as { message: unknown }).message) : error.message;
    const kind = classify(error.status, error.code ?? undefined);
    return new EngineError(kind, openAIMessage(kind, detail), error.status);
  }
  return new EngineError('unknown', l10n.t('OpenAI failed: {0}', error instanceof Error ? error.message : String(error)));
}

function classify(status: number | undefined, code: string | undefined): EngineErrorKind {
  if (status === 401 || code === 'invalid_api_key') return 'auth';
  if (code === 'insufficient_quota') return 'quota';
  if (status === 429) return 'rateLimit';
  if (status === 404 || code === 'model_not_found') return 'notFound';
  if (status === 403) return 'auth';
  if (status === 400 || status === 422) return 'badRequest';
  if (status !== undefined && status >= 500) return 'server';
  return 'unknown';
}

function openAIMessage(kind: EngineErrorKind, detail: string): string {
  switch (kind) {
    case 'auth': return l10n.t('OpenAI rejected the API key. Run "Visen: Set OpenAI API Key" with a key from platform.openai.com.');
    case 'quota': return l10n.t('Your OpenAI quota is used up. Add credit in the OpenAI platform billing page, or switch engine.');
    case 'rateLimit': return l10n.t('OpenAI is rate limiting your key. Wait a minute and try again.');
    case 'notFound': return l10n.t('The OpenAI server does not know this model. Run "Visen: Select Model" to pick one. ({0})', detail);
    case 'server': return l10n.t('The OpenAI server had an error. Try again in a moment.');
    default: return l10n.t('OpenAI refused the request: {0}', detail);
  }
}

export const createEngine: EngineModule['createEngine'] = (options) => new OpenAIEngine(options);

export const configureL10n: EngineModule['configureL10n'] = (contents) => l10n.config({ contents });
