/**
 * One run per Notion page at a time: two runs appending to one page would interleave their blocks, and
 * undoing either would take back parts of both. A second run into a page waits for the first; runs into
 * different pages go side by side.
 */
export class PageLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Whether a run holds `pageId` now. */
  busy(pageId: string): boolean {
    return this.tails.has(pageId);
  }

  /**
   * Waits for the page to be free (calling `onWait` first when it is not), then holds it until the
   * returned release is called. Rejects with the signal's reason if cancelled while waiting.
   */
  async acquire(pageId: string, signal?: AbortSignal, onWait?: () => void): Promise<() => void> {
    const before = this.tails.get(pageId);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = (before ?? Promise.resolve()).then(() => mine);
    this.tails.set(pageId, tail);
    const done = () => {
      release();
      if (this.tails.get(pageId) === tail) this.tails.delete(pageId);
    };
    if (before) {
      onWait?.();
      try {
        await waitOrAbort(before, signal);
      } catch (error) {
        // Whoever queued after this run still waits for the one before it.
        done();
        throw error;
      }
    }
    return done;
  }
}

function waitOrAbort(work: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, resolve).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
