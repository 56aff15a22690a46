import * as l10n from '@vscode/l10n';
import {
  Completion,
  Engine,
  EngineError,
  readStream,
  GenerationRequest,
  JsonSchema,
  ModelInfo,
  StreamEnd,
  StreamEnding,
  TokenUsage,
} from '../services/engines/engine';
import { CallDeadline, type CallDeadlines } from '../services/engines/callDeadline';

/**
 * The engine `vscode-lm`: the language models VS Code offers (GitHub Copilot's, or any other provider's),
 * through the Language Model API. No key: VS Code asks the user once whether Visen may use a model, on the
 * first request. Everything it needs from `vscode` comes through `LmAccess`, so it runs in plain Node
 * against a fake in unit tests; vscodeLm.ts builds the real one. Nothing here runs at activation.
 */

/** The part of `vscode.LanguageModelChat` Visen uses. */
export interface LmChatModel {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly family: string;
  sendRequest(messages: unknown[], options: { justification?: string }, token: unknown): Thenable<{ readonly text: AsyncIterable<string> }>;
  countTokens?(text: string, token?: unknown): Thenable<number>;
}

/** The part of `vscode.lm` (and its helpers) Visen uses. */
export interface LmAccess {
  selectChatModels(selector?: { readonly id?: string; readonly family?: string }): Thenable<readonly LmChatModel[]>;
  /** `vscode.LanguageModelChatMessage.User(text)`. */
  userMessage(text: string): unknown;
  /** A cancellation token cancelled when `signal` aborts; `dispose` when the request is over. */
  token(signal: AbortSignal): { readonly token: unknown; dispose(): void };
  /** The code of a `vscode.LanguageModelError` (`NoPermissions`, `Blocked`, `NotFound`), else undefined. */
  errorCode(error: unknown): string | undefined;
}

const NO_MODEL_MESSAGE = (): string =>
  l10n.t(
    'No language model is available in VS Code — install or sign in to a provider such as GitHub Copilot, or choose Gemini or OpenAI.',
  );

export class VscodeLmEngine implements Engine {
  readonly kind = 'vscode-lm' as const;
  private lastUsage: TokenUsage | undefined;
  private lastEnding: StreamEnding | undefined;

  /** `deadlines`: those of `complete()` and `listModels()`, default CALL_DEADLINES (tests give shorter ones). */
  constructor(
    private readonly lm: LmAccess,
    private readonly deadlines?: CallDeadlines,
  ) {}

  async *stream(request: GenerationRequest, signal: AbortSignal): AsyncGenerator<string, StreamEnd> {
    this.lastUsage = undefined;
    this.lastEnding = undefined;
    const model = await this.model(request.model);
    const cancellation = this.lm.token(signal);
    let text = '';
    try {
      signal.throwIfAborted();
      const response = await model.sendRequest(this.messages(request), { justification: JUSTIFICATION() }, cancellation.token);
      for await (const chunk of untilAborted(response.text, signal)) {
        if (!chunk) continue;
        text += chunk;
        yield chunk;
      }
      // A cancelled request may end its text quietly: a cut answer must not pass for a complete one.
      signal.throwIfAborted();
    } catch (error) {
      throw this.toEngineError(error, signal, model);
    } finally {
      cancellation.dispose();
    }
    if (!text.trim()) {
      throw new EngineError(
        'empty',
        l10n.t('The model returned no text. Rephrase the prompt, or run "Visen: Select Model" to pick another model.'),
      );
    }
    this.lastUsage = await this.count(model, request, text);
    this.lastEnding = { reason: 'stop' };
    return { usage: this.lastUsage, ending: this.lastEnding };
  }

  /**
   * One answer, not streamed. The API has no schema mode: with `jsonSchema` the prompt asks for JSON of that
   * schema, and the caller validates and coerces what comes back. The first text must come within the
   * call's first-byte deadline, the whole answer within its total.
   */
  async complete(request: GenerationRequest, outerSignal: AbortSignal, options: { jsonSchema?: JsonSchema } = {}): Promise<Completion> {
    const asked = options.jsonSchema
      ? {
          ...request,
          prompt: `${request.prompt}\n\n${l10n.t('Answer with one JSON object only, no prose and no code fence, matching this JSON schema:')}\n${JSON.stringify(options.jsonSchema)}`,
        }
      : request;
    const deadline = new CallDeadline(outerSignal, this.deadlines);
    const begun = deadline.untilFirstByte();
    let text = '';
    try {
      const end = await deadline.race(
        readStream(this.stream(asked, deadline.signal), (chunk) => {
          begun();
          text += chunk;
        }),
      );
      return { text, usage: end.usage };
    } catch (error) {
      throw this.callError(error, deadline, outerSignal, request.model);
    } finally {
      deadline.dispose();
    }
  }

  usage(): TokenUsage | undefined {
    return this.lastUsage;
  }

  ending(): StreamEnding | undefined {
    return this.lastEnding;
  }

  /** Every chat model VS Code offers; none at all is an error that says what to do. Within the call's deadlines. */
  async listModels(outerSignal?: AbortSignal): Promise<ModelInfo[]> {
    const deadline = new CallDeadline(outerSignal, this.deadlines);
    deadline.untilFirstByte();
    try {
      const models = await deadline.race(Promise.resolve(this.lm.selectChatModels({})));
      if (models.length === 0) throw new EngineError('unavailable', NO_MODEL_MESSAGE());
      return models.map((m) => ({ id: m.id, displayName: `${m.name} (${m.vendor}, ${m.family})` }));
    } catch (error) {
      throw this.callError(error, deadline, outerSignal);
    } finally {
      deadline.dispose();
    }
  }

  /** How a call that is not streamed ended: at a deadline, cancelled, or by the engine's own error. */
  private callError(error: unknown, deadline: CallDeadline, outerSignal: AbortSignal | undefined, model?: string): EngineError {
    const service = model?.trim() ? l10n.t('The VS Code language model {0}', model.trim()) : l10n.t("VS Code's language model");
    const expired = deadline.explain(error, service);
    if (expired) return expired;
    if (outerSignal?.aborted) return new EngineError('cancelled', l10n.t('Generation was cancelled.'));
    if (error instanceof EngineError) return error;
    return new EngineError(
      'unknown',
      l10n.t('The VS Code language model failed: {0}', error instanceof Error ? error.message : String(error)),
    );
  }

  /** The configured model by id, else by family; empty = the first model VS Code offers. */
  private async model(wanted: string): Promise<LmChatModel> {
    const name = wanted.trim();
    if (name) {
      const byId = await this.lm.selectChatModels({ id: name });
      const found = byId[0] ?? (await this.lm.selectChatModels({ family: name }))[0];
      if (found) return found;
    }
    const all = await this.lm.selectChatModels({});
    if (all.length === 0) throw new EngineError('unavailable', NO_MODEL_MESSAGE());
    if (name) {
      throw new EngineError(
        'notFound',
        l10n.t(
          '{0} is not available in VS Code — choose another with "Visen: Select Model" (available: {1}).',
          name,
          all.map((m) => m.id).join(', '),
        ),
      );
    }
    return all[0];
  }

  /** The Language Model API has no system role: instructions go first, as a user message. */
  private messages(request: GenerationRequest): unknown[] {
    return [...(request.instructions ? [this.lm.userMessage(request.instructions)] : []), this.lm.userMessage(request.prompt)];
  }

  /** Tokens in and out, where the model can count them; undefined otherwise. */
  private async count(model: LmChatModel, request: GenerationRequest, output: string): Promise<TokenUsage | undefined> {
    if (!model.countTokens) return undefined;
    try {
      const input = `${request.instructions ?? ''}\n${request.prompt}`;
      const [inputTokens, outputTokens] = await Promise.all([model.countTokens(input), model.countTokens(output)]);
      return { inputTokens, outputTokens };
    } catch {
      return undefined;
    }
  }

  private toEngineError(error: unknown, signal: AbortSignal, model: LmChatModel): EngineError {
    if (error instanceof EngineError) return error;
    if (signal.aborted || (error instanceof Error && (error.name === 'Canceled' || error.name === 'AbortError'))) {
      return new EngineError('cancelled', l10n.t('Generation was cancelled.'));
    }
    const detail = error instanceof Error ? error.message : String(error);
    switch (this.lm.errorCode(error)) {
      case 'NoPermissions':
        return new EngineError(
          'auth',
          l10n.t(
            'VS Code did not allow Visen to use {0}. Generate again and choose "Allow" when VS Code asks, or allow Visen under Accounts → Manage Language Model Access.',
            model.name,
          ),
        );
      case 'Blocked':
        return new EngineError(
          'rateLimit',
          l10n.t(
            '{0} refused the request for now (blocked, e.g. a quota or rate limit of the provider). Wait and try again. ({1})',
            model.name,
            detail,
          ),
        );
      case 'NotFound':
        return new EngineError(
          'notFound',
          l10n.t('{0} is no longer available in VS Code — choose another with "Visen: Select Model".', model.name),
        );
      default:
        return new EngineError('unknown', l10n.t('The VS Code language model {0} failed: {1}', model.name, detail));
    }
  }
}

/**
 * The chunks until `signal` aborts, which ends the wait for the next chunk at once: VS Code 1.100 does not
 * pass the cancellation on to the model's provider once its answer streams, so a slow model would hold a
 * cancelled generation until it sent its next chunk.
 */
async function* untilAborted<T>(chunks: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  const iterator = chunks[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      signal.throwIfAborted();
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort!);
    if (signal.aborted) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

const JUSTIFICATION = (): string => l10n.t('Visen writes the answer to your prompt into a Notion page.');
