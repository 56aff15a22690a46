import { GoogleGenAI } from '@google/genai/web';
import { type CallDeadline, withoutEnvironment } from './callDeadline';
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
import { answerStopped, promptBlocked, streamEnding, toEngineError, usageOf } from './geminiResponses';
import { newestFirst } from './modelCatalog';
import { underDeadline } from './sdkEngine';

/**
 * Gemini through the official SDK's web entry, which needs neither google-auth-library nor Node-only
 * transports. The API version is pinned: the SDK's default moved from v1beta to v1, and current models
 * and system instructions are served on v1beta.
 */
class GeminiEngine implements Engine {
  readonly kind = 'gemini' as const;
  private readonly client: GoogleGenAI;
  private readonly apiKey: string;
  private readonly options: EngineOptions;

  constructor(options: EngineOptions) {
    this.apiKey = options.apiKey;
    this.options = options;
    this.client = this.makeClient((input, init) => fetch(input, init));
  }

  /**
   * A client sending through `transport`. Every option is given, none read from the environment (the web
   * entry reads no GOOGLE_* or GEMINI_* variable for the calls Visen makes; a unit test holds it to that).
   */
  private makeClient(transport: (input: string | URL | Request, init?: RequestInit) => Promise<Response>): GoogleGenAI {
    const options = this.options;
    return withoutEnvironment(
      PROVIDER_ENVIRONMENT,
      () =>
        new GoogleGenAI({
          apiKey: options.apiKey,
          vertexai: false,
          apiVersion: 'v1beta',
          httpOptions: {
            baseUrl: options.baseUrl || OFFICIAL_BASE_URL,
            headers: {},
            // Passing fetch keeps the SDK from looking for undici's global dispatcher, which a Node
            // extension host does not always have.
            fetch: transport,
            retryOptions: { attempts: 3, httpStatusCodes: [500, 502, 503, 504] },
          },
        }),
    );
  }

  /** The client for one call that is not streamed: its requests under the call's deadlines. */
  private callClient(deadline: CallDeadline): GoogleGenAI {
    return this.makeClient(deadline.fetch((input, init) => fetch(input, init)));
  }

  async *stream(request: GenerationRequest, signal: AbortSignal): AsyncGenerator<string, StreamEnd> {
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
      throw toEngineError(error, signal, this.apiKey, false, request.model);
    }
    let finishReason: string | undefined;
    let wroteText = false;
    let usage: TokenUsage | undefined;
    try {
      for await (const chunk of stream) {
        usage = usageOf(chunk.usageMetadata) ?? usage;
        const blocked = promptBlocked(chunk.promptFeedback);
        if (blocked) throw blocked;
        const candidate = chunk.candidates?.[0];
        const text = chunk.text;
        if (text) {
          wroteText = true;
          yield text;
        }
        if (candidate?.finishReason) {
          finishReason = candidate.finishReason;
          const stopped = answerStopped(candidate);
          if (stopped) throw stopped;
        }
      }
      // The SDK ends the iteration quietly on abort; a cancelled answer must not pass for a complete one.
      signal.throwIfAborted();
    } catch (error) {
      throw toEngineError(error, signal, this.apiKey, true, request.model);
    }
    return { usage, ending: streamEnding(finishReason, wroteText, usage) };
  }

  complete(request: GenerationRequest, outerSignal: AbortSignal, options: { jsonSchema?: JsonSchema } = {}): Promise<Completion> {
    return underDeadline(
      outerSignal,
      this.options.deadlines,
      () => 'Gemini',
      async (deadline) => {
        const response = await deadline.race(
          this.callClient(deadline).models.generateContent({
            model: request.model,
            contents: [{ role: 'user', parts: [{ text: request.prompt }] }],
            config: {
              abortSignal: deadline.signal,
              ...(request.instructions ? { systemInstruction: request.instructions } : {}),
              ...(options.jsonSchema ? { responseMimeType: 'application/json', responseJsonSchema: options.jsonSchema } : {}),
            },
          }),
        );
        const blocked = promptBlocked(response.promptFeedback);
        if (blocked) throw blocked;
        const candidate = response.candidates?.[0];
        const stopped = candidate?.finishReason ? answerStopped(candidate) : undefined;
        if (stopped) throw stopped;
        return { text: response.text ?? '', usage: usageOf(response.usageMetadata) };
      },
      (error, signal) => toEngineError(error, signal, this.apiKey, false, request.model),
    );
  }

  async listModels(outerSignal?: AbortSignal): Promise<ModelInfo[]> {
    const models: ModelInfo[] = [];
    await underDeadline(
      outerSignal,
      this.options.deadlines,
      () => 'Gemini',
      async (deadline) => {
        const pager = await deadline.race(
          this.callClient(deadline).models.list({ config: { pageSize: 100, abortSignal: deadline.signal } }),
        );
        for await (const model of pager) {
          const actions = model.supportedActions ?? [];
          if (!model.name || !actions.includes('generateContent')) continue;
          const id = model.name.replace(/^models\//, '');
          if (/embedding|aqa|imagen|veo|tts|image-generation|native-audio|live/i.test(id)) continue;
          models.push({ id, displayName: model.displayName });
        }
      },
      (error, signal) => toEngineError(error, signal, this.apiKey),
    );
    return sortModels(models);
  }
}

const OFFICIAL_BASE_URL = 'https://generativelanguage.googleapis.com';

/** The variables Google's SDKs read (GEMINI_API_KEY, GOOGLE_API_KEY, GOOGLE_GENAI_*, GOOGLE_GEMINI_BASE_URL, …). */
const PROVIDER_ENVIRONMENT = /^(GOOGLE_|GEMINI_)/i;

/** Gemini's list carries no dates: the dated model catalog orders it, newest first (no naming rule). */
function sortModels(models: ModelInfo[]): ModelInfo[] {
  return newestFirst('gemini', models);
}

export const createEngine: EngineModule['createEngine'] = (options) => new GeminiEngine(options);
