/** What every Notion request waits for before it leaves. */
export interface Pacing {
  /** Resolves when a request may leave; at once (sending nothing) when `signal` was aborted meanwhile. */
  slot(signal?: AbortSignal): Promise<void>;
}

/**
 * The sliding window: a request leaves only when fewer than `limit` left in the last `windowMs` (a sliding
 * window, unlike evenly spaced slots, lets a request go at once when the last second was quiet). Returns 0
 * and keeps the new send times when it may go now, else how long to wait.
 */
export function takeSlot(times: readonly number[], limit: number, windowMs: number, keep: (sent: number[]) => void): number {
  const now = Date.now();
  const sent = times.filter((at) => at > now - windowMs && at <= now + windowMs);
  if (sent.length >= limit) return Math.max(1, sent[sent.length - limit] + windowMs - now);
  sent.push(now);
  keep(sent);
  return 0;
}

/** The pacing of one client alone, in memory (tests, tools, and a window without a shared folder). */
export class WindowPacing implements Pacing {
  private tail: Promise<void> = Promise.resolve();
  private sent: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  slot(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(async () => {
      for (;;) {
        if (signal?.aborted) return;
        const wait = takeSlot(this.sent, this.limit, this.windowMs, (sent) => (this.sent = sent));
        if (wait === 0) return;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
