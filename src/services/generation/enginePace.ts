import PQueue from 'p-queue';
import type { Logger } from '../logger';

/** The wait after a 429 that does not say how long. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 30_000;

/**
 * How many model calls a fill makes at once: up to its most, halved at each 429 of the engine and none
 * until the wait the engine asked for has passed, then one more after each run of successes as long.
 */
export class EnginePace {
  readonly queue: PQueue;
  private successes = 0;
  private resumeAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly most: number,
    private readonly signal: AbortSignal,
    private readonly logger: Logger,
  ) {
    this.queue = new PQueue({ concurrency: most });
    signal.addEventListener('abort', () => this.resume(), { once: true });
  }

  limited(retryAfterMs = DEFAULT_RATE_LIMIT_WAIT_MS): void {
    const before = this.queue.concurrency;
    this.queue.concurrency = Math.max(1, Math.floor(before / 2));
    this.successes = 0;
    const until = Date.now() + retryAfterMs;
    if (until <= this.resumeAt || this.signal.aborted) return;
    this.resumeAt = until;
    this.logger.info(
      `Fill: the engine is rate limiting; ${this.queue.concurrency} row(s) at once, the next in ${Math.ceil(retryAfterMs / 1000)} s.`,
    );
    this.queue.pause();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.resume(), retryAfterMs);
  }

  succeeded(): void {
    if (this.queue.concurrency >= this.most || Date.now() < this.resumeAt) return;
    if (++this.successes < this.queue.concurrency) return;
    this.successes = 0;
    this.queue.concurrency++;
  }

  async idle(): Promise<void> {
    await this.queue.onIdle();
    if (this.timer) clearTimeout(this.timer);
  }

  private resume(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.start();
  }
}
