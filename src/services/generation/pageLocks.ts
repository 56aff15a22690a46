import { createHash } from 'node:crypto';
import { acquireLockFile, isLive, newOwnerId, readLease } from '../storage/leases';
import { DiskFolder, type RecordFolder } from '../storage/recordFolder';

/**
 * One run per Notion page at a time: two runs appending to one page would interleave their blocks, and
 * undoing either would take back parts of both. A second run into a page waits for the first; runs into
 * different pages go side by side. With a folder, the lock is shared by every window on the machine: a lock
 * file per page, holding its window's lease (renewed while the run goes on, taken over once it expired).
 */
export class PageLocks {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly folder: RecordFolder | undefined;
  private readonly owner: string;

  constructor(options: { readonly folder?: string | RecordFolder; readonly owner?: string } = {}) {
    this.folder = typeof options.folder === 'string' ? new DiskFolder(options.folder) : options.folder;
    this.owner = options.owner ?? newOwnerId();
  }

  /** Whether a run (of this window or another) holds `pageId` now. */
  busy(pageId: string): boolean {
    if (this.tails.has(pageId)) return true;
    return this.folder !== undefined && isLive(readLease(this.folder, lockFile(pageId)));
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
    let waited = false;
    if (before) {
      waited = true;
      onWait?.();
      try {
        await waitOrAbort(before, signal);
      } catch (error) {
        // Whoever queued after this run still waits for the one before it.
        done();
        throw error;
      }
    }
    if (!this.folder) return done;
    let releaseFile: () => Promise<void>;
    try {
      releaseFile = await acquireLockFile(this.folder, lockFile(pageId), this.owner, { signal, onWait: waited ? undefined : onWait });
    } catch (error) {
      done();
      throw error;
    }
    // The next run of this window waits until the lock file is gone, so it never finds its own lock.
    return () =>
      void releaseFile()
        .catch(() => undefined)
        .finally(done);
  }
}

function lockFile(pageId: string): string {
  return `${createHash('sha256').update(pageId.replace(/-/g, '').toLowerCase()).digest('hex').slice(0, 32)}.lock`;
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
