import type { BlockNode } from '../notion/blockTree';
import { type NotionError, toNotionError } from '../notion/notionErrors';

/**
 * While the model writes, blocks gather for at least this long between appends, so a generation costs
 * about one request a second (plus what its size needs) and a pacing slot is free when the last block
 * arrives. The first blocks go out at once.
 */
export const FLUSH_INTERVAL_MS = 1000;

/**
 * Sends blocks in order, one append at a time. The first blocks go at once; after that, blocks gather for
 * FLUSH_INTERVAL_MS between appends unless a request's worth (100) is waiting or the stream has ended.
 */
export class WritePump {
  private pending: BlockNode[] = [];
  private inFlight: Promise<void> | undefined;
  private failed: NotionError | undefined;
  private lastStart = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ending = false;

  constructor(
    private readonly write: (nodes: BlockNode[]) => Promise<void>,
    private readonly signal: AbortSignal,
  ) {}

  push(nodes: BlockNode[]): void {
    this.pending.push(...nodes);
    this.next();
  }

  /** Sends what is left at once and waits for it; on cancel, what has not been sent stays unsent. */
  async finish(cancelled: boolean): Promise<NotionError | undefined> {
    if (cancelled) this.pending = [];
    this.ending = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.next();
    while (this.inFlight) await this.inFlight;
    return this.failed;
  }

  private next(): void {
    if (this.inFlight || this.failed || this.pending.length === 0 || this.signal.aborted) return;
    const wait = this.lastStart === 0 || this.ending || this.pending.length >= 100 ? 0 : this.lastStart + FLUSH_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.next();
      }, wait);
      return;
    }
    const batch = this.pending;
    this.pending = [];
    this.lastStart = Date.now();
    this.inFlight = this.write(batch)
      .then(
        () => undefined,
        (error: unknown) => {
          this.failed = toNotionError(error);
          this.pending = [];
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        this.next();
      });
  }
}
