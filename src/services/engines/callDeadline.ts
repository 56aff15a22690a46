import * as l10n from '@vscode/l10n';
import { EngineError } from './engine';

/**
 * How long a call that is not streamed (`complete()`, `listModels()`) may take: until the server's first
 * byte (its response headers) on each attempt, and in all, retries included.
 */
export interface CallDeadlines {
  readonly firstByteMs: number;
  readonly totalMs: number;
}

export const CALL_DEADLINES: CallDeadlines = { firstByteMs: 30_000, totalMs: 120_000 };

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * One call's deadlines. Its `signal` goes to the SDK (it ends with the caller's signal, or when the call has
 * taken `totalMs`); its `fetch` wraps the transport so that an attempt whose server sends nothing for
 * `firstByteMs` is abandoned (the SDK may retry it, within the total).
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly onOuterAbort = () => this.controller.abort(this.outer?.reason);
  /** Which deadline passed, if one did. */
  private passed: 'firstByte' | 'total' | undefined;
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly outer: AbortSignal | undefined,
    private readonly deadlines: CallDeadlines = CALL_DEADLINES,
  ) {
    outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    if (outer?.aborted) this.onOuterAbort();
    this.timer = setTimeout(() => {
      this.passed = 'total';
      this.controller.abort(new DOMException('The call took too long.', 'TimeoutError'));
    }, deadlines.totalMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `inner` with the first-byte deadline on each request; the body is still read under the call's signal. */
  fetch(inner: Fetch): Fetch {
    return async (input, init) => {
      const attempt = new AbortController();
      const follow = (signal: AbortSignal | null | undefined) => {
        if (!signal) return;
        if (signal.aborted) attempt.abort(signal.reason);
        else signal.addEventListener('abort', () => attempt.abort(signal.reason), { once: true });
      };
      follow(init?.signal);
      follow(this.controller.signal);
      const timer = setTimeout(() => {
        this.passed ??= 'firstByte';
        attempt.abort(new DOMException('No answer in time.', 'TimeoutError'));
      }, this.deadlines.firstByteMs);
      try {
        return await inner(input, { ...init, signal: attempt.signal });
      } finally {
        clearTimeout(timer);
      }
    };
  }

  /**
   * The error to report when a deadline ended the call (`service`: "Gemini", "the OpenAI server"); undefined
   * when the call failed for another reason or the caller cancelled it.
   */
  explain(error: unknown, service: string): EngineError | undefined {
    if (this.outer?.aborted || !this.passed) return undefined;
    if (this.passed === 'total') {
      return new EngineError(
        'network',
        l10n.t(
          '{0} did not finish answering within {1} seconds, so Visen stopped waiting. Try again in a moment.',
          service,
          Math.round(this.deadlines.totalMs / 1000),
        ),
      );
    }
    const timedOut = (e: unknown): boolean =>
      !!e &&
      typeof e === 'object' &&
      (/AbortError|TimeoutError|APIConnectionTimeoutError|APIUserAbortError/.test(String((e as Error).name ?? e.constructor?.name)) ||
        /timed? ?out|aborted/i.test(String((e as Error).message)) ||
        timedOut((e as { cause?: unknown }).cause));
    // A first-byte deadline of `untilFirstByte` ends the whole call; one of `fetch` only an attempt.
    if (!this.controller.signal.aborted && !timedOut(error)) return undefined;
    return new EngineError(
      'network',
      l10n.t(
        '{0} sent no answer within {1} seconds, so Visen stopped waiting. Try again in a moment.',
        service,
        Math.round(this.deadlines.firstByteMs / 1000),
      ),
    );
  }

  /**
   * The first-byte deadline for a call that does not go through `fetch` (VS Code's language models): the
   * call's signal fires unless the returned function, "the answer has begun", is called within `firstByteMs`.
   */
  untilFirstByte(): () => void {
    const timer = setTimeout(() => {
      this.passed ??= 'firstByte';
      this.controller.abort(new DOMException('No answer in time.', 'TimeoutError'));
    }, this.deadlines.firstByteMs);
    this.stops.push(() => clearTimeout(timer));
    return () => clearTimeout(timer);
  }

  /**
   * `work`, ended as soon as the call's signal fires: an SDK that waits between its retries without watching
   * the signal would otherwise go on past the deadline or a Cancel.
   */
  race<T>(work: Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const stop of this.stops) stop();
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}

/**
 * Runs `build` (an SDK client's constructor) with none of the variables `names` matches in the environment,
 * then puts them back: a client built so reads nothing the user's shell or a dev container set (openai reads
 * OPENAI_CUSTOM_HEADERS whatever options it is given). Construction is synchronous, so nothing else runs
 * while the variables are away.
 */
export function withoutEnvironment<T>(names: RegExp, build: () => T): T {
  const env = process.env;
  const hidden: Array<[string, string | undefined]> = [];
  for (const name of Object.keys(env)) {
    if (!names.test(name)) continue;
    hidden.push([name, env[name]]);
    delete env[name];
  }
  try {
    return build();
  } finally {
    for (const [name, value] of hidden) if (value !== undefined) env[name] = value;
  }
}
