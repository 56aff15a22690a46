import type { CallDeadlines } from './callDeadline';
import type { EngineKind } from './registry';

/** The engines Visen can generate with: the keys of the registry's table. */
export type { EngineKind } from './registry';

export interface GenerationRequest {
  readonly model: string;
  readonly prompt: string;
  /** Extra system instructions (Visen's own plus the user's `visen.instructions`). */
  readonly instructions?: string;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export type JsonSchema = Record<string, unknown>;

export interface Completion {
  readonly text: string;
  readonly usage?: TokenUsage;
}

/**
 * How the last stream ended when it ended without an error: the model finished (`stop`), or it reached
 * its output limit (`length`: OpenAI `finish_reason: "length"`, Gemini `MAX_TOKENS`), the answer cut short.
 */
export type StreamEnding = { readonly reason: 'stop' } | { readonly reason: 'length'; readonly outputTokens?: number };

/** What a stream returns when it ends without an error: the usage the server reported, and how the answer ended. */
export interface StreamEnd {
  readonly usage?: TokenUsage;
  /** Engines that cannot tell leave it out. */
  readonly ending?: StreamEnding;
}

/** Reads a stream to its end, each piece to `onText`; resolves to how it ended. */
export async function readStream(stream: AsyncGenerator<string, StreamEnd | void>, onText: (text: string) => void): Promise<StreamEnd> {
  let done = false;
  try {
    for (;;) {
      const next = await stream.next();
      if (next.done) {
        done = true;
        return next.value ?? {};
      }
      onText(next.value);
    }
  } finally {
    if (!done) await stream.return(undefined).catch(() => undefined);
  }
}

export interface ModelInfo {
  readonly id: string;
  readonly displayName?: string;
  /** The shutdown date the provider's list gives (OpenAI's `shutdown_date`, YYYY-MM-DD), when it gives one. */
  readonly shutdown?: string;
}

/**
 * One engine: streams markdown text for a prompt, and returns the usage and how the answer ended.
 * Errors are thrown as `EngineError` so callers can say what happened without knowing the SDK.
 */
export interface Engine {
  readonly kind: EngineKind;
  stream(request: GenerationRequest, signal: AbortSignal): AsyncGenerator<string, StreamEnd | void>;
  /**
   * One answer, not streamed: short values such as a database property. With `jsonSchema` the engine is
   * held to JSON of that schema (OpenAI structured outputs, Gemini's response schema); the caller still
   * validates the result.
   */
  complete(request: GenerationRequest, signal: AbortSignal, options?: { jsonSchema?: JsonSchema }): Promise<Completion>;
  /** Models the key can use for text generation, current ones first. Also a cheap check of the key. */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
}

export interface EngineOptions {
  readonly apiKey: string;
  /** Empty or undefined = the official endpoint. */
  readonly baseUrl?: string;
  /** The deadlines of `complete()` and `listModels()`; default CALL_DEADLINES (tests give shorter ones). */
  readonly deadlines?: CallDeadlines;
}

/** What each lazily loaded engine module exports. */
export interface EngineModule {
  createEngine(options: EngineOptions): Engine;
}

// A module of its own: the one class every bundle shares (dist/shared.js), without the rest of this module.
export { EngineError, type EngineErrorKind } from './engineError';

/**
 * True when an error means the connection dropped while the answer was streaming: undici's "terminated"
 * (cause "other side closed", `UND_ERR_SOCKET`), a reset, a premature close. Follows the `cause` chain,
 * where fetch keeps the socket's own error. Cancellation (an AbortError) is never a drop.
 */
export function isConnectionDrop(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const { name, message, code } = e as { name?: unknown; message?: unknown; code?: unknown };
    if (name === 'AbortError') return false;
    if (typeof code === 'string' && /^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED|ERR_STREAM_PREMATURE_CLOSE)$/.test(code))
      return true;
    if (
      typeof message === 'string' &&
      /^terminated$|other side closed|socket hang up|premature close|ECONNRESET|connection (?:was )?(?:reset|closed)/i.test(message)
    )
      return true;
  }
  return false;
}

/** Seconds to wait from a duration such as "29s", "1.5s", "6m0s", "20ms" or "1h2m", rounded up; undefined when unreadable. */
export function durationSeconds(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.max(1, Math.ceil(Number(trimmed)));
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  let matched = '';
  for (const [part, value, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(value) * units[unit];
    matched += part;
  }
  if (!matched || matched !== trimmed) return undefined;
  return Math.max(1, Math.ceil(total));
}
