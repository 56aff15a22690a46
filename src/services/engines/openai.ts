import * as l10n from '@vscode/l10n';
import OpenAI from 'openai';
import { type CallDeadline, type CallDeadlines, withoutEnvironment } from './callDeadline';
import type {
  Completion,
  Engine,
  EngineModule,
  EngineOptions,
  GenerationRequest,
  JsonSchema,
  ModelInfo,
  StreamEnd,
  TokenUsage,
} from './engine';
import { answerFiltered, isQuotaSpent, safeJson, streamEnding, toEngineError, usageOf } from './openaiResponses';
import { underDeadline } from './sdkEngine';

/**
 * OpenAI and every OpenAI-compatible server (Azure, Ollama, LM Studio, proxies) through Chat Completions
 * streaming, the dialect they all speak. The SDK's own retries (429, 5xx, connection errors) stay on.
 */
class OpenAIEngine implements Engine {
  readonly kind = 'openai' as const;
  private readonly client: OpenAI;
  /** The official API, whose list is ordered by creation; a compatible server's own order is kept. */
  private readonly official: boolean;
  /** No key: a compatible server that needs none (Ollama, LM Studio). */
  private readonly keyless: boolean;
  private readonly deadlines: CallDeadlines | undefined;

  constructor(options: EngineOptions) {
    this.deadlines = options.deadlines;
    const baseURL = options.baseUrl || OFFICIAL_BASE_URL;
    this.official = URL.canParse(baseURL) && new URL(baseURL).origin === new URL(OFFICIAL_BASE_URL).origin;
    this.keyless = !options.apiKey;
    // No OPENAI_* variable reaches the client: openai reads OPENAI_CUSTOM_HEADERS whatever it is given.
    this.client = withoutEnvironment(
      PROVIDER_ENVIRONMENT,
      () =>
        new OpenAI({
          // The SDK insists on some credential; without a key it gets a stand-in and the Authorization header is
          // left out below, so the request carries no key at all.
          apiKey: options.apiKey || 'no-key',
          ...(this.keyless ? { defaultHeaders: { Authorization: null } } : {}),
          // Never from the environment: every option the SDK would otherwise read from a variable is given
          // (OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_ADMIN_KEY, OPENAI_WEBHOOK_SECRET, OPENAI_LOG).
          baseURL,
          organization: null,
          project: null,
          adminAPIKey: null,
          webhookSecret: null,
          logLevel: 'warn',
          maxRetries: 2,
          fetch: noRetryWhenQuotaIsSpent,
          // The extension host is Node, but the SDK must not mistake it for a browser holding a user's key.
          dangerouslyAllowBrowser: false,
        }),
    );
  }

  /** The client for one call that is not streamed: its requests under the call's deadlines. */
  private callClient(deadline: CallDeadline): OpenAI {
    return withoutEnvironment(PROVIDER_ENVIRONMENT, () => this.client.withOptions({ fetch: deadline.fetch(noRetryWhenQuotaIsSpent) }));
  }

  async *stream(request: GenerationRequest, signal: AbortSignal): AsyncGenerator<string, StreamEnd> {
    let stream;
    try {
      stream = await this.client.chat.completions.create(
        { model: request.model, messages: messagesFor(request), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
    } catch (error) {
      throw toEngineError(error, signal, false, { model: request.model, keyless: this.keyless });
    }
    let finishReason: string | undefined;
    let wroteText = false;
    let usage: TokenUsage | undefined;
    try {
      for await (const chunk of stream) {
        usage = usageOf(chunk.usage) ?? usage;
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (text) {
          wroteText = true;
          yield text;
        }
        if (choice?.finish_reason) {
          finishReason = choice.finish_reason;
          if (finishReason === 'content_filter') throw answerFiltered(choice);
        }
      }
      // The SDK ends the iteration quietly on abort; a cancelled answer must not pass for a complete one.
      signal.throwIfAborted();
    } catch (error) {
      throw toEngineError(error, signal, true, { model: request.model, keyless: this.keyless });
    }
    return { usage, ending: streamEnding(finishReason, wroteText, usage) };
  }

  complete(request: GenerationRequest, outerSignal: AbortSignal, options: { jsonSchema?: JsonSchema } = {}): Promise<Completion> {
    return underDeadline(
      outerSignal,
      this.deadlines,
      SERVICE,
      async (deadline) => {
        const response = await this.callClient(deadline).chat.completions.create(
          {
            model: request.model,
            messages: messagesFor(request),
            ...(options.jsonSchema
              ? {
                  response_format: { type: 'json_schema', json_schema: { name: 'visen_values', schema: options.jsonSchema, strict: true } },
                }
              : {}),
          },
          { signal: deadline.signal },
        );
        const choice = response.choices[0];
        if (choice?.finish_reason === 'content_filter') throw answerFiltered(choice);
        return { text: choice?.message?.content ?? '', usage: usageOf(response.usage) };
      },
      (error, signal) => toEngineError(error, signal, false, { model: request.model, keyless: this.keyless }),
    );
  }

  async listModels(outerSignal?: AbortSignal): Promise<ModelInfo[]> {
    const models: OpenAI.Models.Model[] = [];
    await underDeadline(
      outerSignal,
      this.deadlines,
      SERVICE,
      async (deadline) => {
        for await (const model of this.callClient(deadline).models.list({ signal: deadline.signal })) {
          if (!NON_TEXT_MODELS.test(model.id)) models.push(model);
        }
      },
      (error, signal) => toEngineError(error, signal, false, { keyless: this.keyless }),
    );
    // The official API lists in no useful order: newest first by `created`. A compatible server's own order
    // is kept (Ollama lists the most recently pulled first, LM Studio the loaded models).
    if (this.official) models.sort((a, b) => (b.created ?? 0) - (a.created ?? 0) || a.id.localeCompare(b.id));
    return models.map(({ id, shutdown_date: shutdown }) => ({
      id,
      ...(typeof shutdown === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(shutdown) ? { shutdown } : {}),
    }));
  }
}

function messagesFor(request: GenerationRequest): OpenAI.Chat.Completions.ChatCompletionMessageParam[] {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  messages.push({ role: 'user', content: request.prompt });
  return messages;
}

const OFFICIAL_BASE_URL = 'https://api.openai.com/v1';

/** The variables openai reads (OPENAI_BASE_URL, OPENAI_CUSTOM_HEADERS, OPENAI_ORG_ID, OPENAI_LOG, …): never Visen's. */
const PROVIDER_ENVIRONMENT = /^OPENAI_/i;

/** Who a deadline message names. */
const SERVICE = () => l10n.t('The OpenAI server');

const NON_TEXT_MODELS = /embedding|whisper|tts|dall-e|image|moderation|audio|realtime|transcribe|search|davinci|babbage|sora|computer-use/i;

/**
 * The SDK retries every 429, also `insufficient_quota`, which only billing can fix: three requests and
 * several seconds for the same answer. This marks such a response `x-should-retry: false`, the header the
 * SDK obeys before its own rules, and leaves every other response as it came.
 */
async function noRetryWhenQuotaIsSpent(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (response.status !== 429 || response.headers.has('x-should-retry')) return response;
  const text = await response.text();
  const headers = new Headers(response.headers);
  if (isQuotaSpent(safeJson(text))) headers.set('x-should-retry', 'false');
  return new Response(text, { status: response.status, statusText: response.statusText, headers });
}

export const createEngine: EngineModule['createEngine'] = (options) => new OpenAIEngine(options);
