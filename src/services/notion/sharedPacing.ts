import { createHash } from 'node:crypto';
import { acquireLockFile, newOwnerId } from '../storage/leases';
import { DiskFolder, type RecordFolder } from '../storage/recordFolder';

/** The short lock around one look at the shared send times: a holder gone for 2 s loses it. */
const MUTEX_TIMING = { durationMs: 2_000, renewMs: 500 };

/**
 * Notion's pacing, shared by every window on the machine: for each integration, a file under the shared
 * folder holds the times its last requests left, and a request leaves only when fewer than `limit` left in
 * the last `windowMs` (whichever window sent them). The file is read and written under a lock file, so two
 * windows never both take the last slot. Within one window, requests take their turn in order first.
 */
export class SharedPacing {
  private tail: Promise<void> = Promise.resolve();
  private readonly folder: RecordFolder;
  private readonly owner = newOwnerId();
  private readonly name: string;

  constructor(
    folder: string | RecordFolder,
    /** Which integration: its requests share one pace (a digest, never the secret itself). */
    integration: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    this.folder = typeof folder === 'string' ? new DiskFolder(folder) : folder;
    this.name = `notion-${createHash('sha256').update(integration).digest('hex').slice(0, 32)}`;
  }

  /** Resolves when a request may leave; at once (sending nothing) when `signal` was aborted meanwhile. */
  slot(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.take(signal));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const release = await acquireLockFile(this.folder, `${this.name}.pace-lock`, this.owner, { pollMs: 4, timing: MUTEX_TIMING });
      let wait: number;
      try {
        const now = Date.now();
        const sent = this.sent().filter((at) => at > now - this.windowMs && at <= now + this.windowMs);
        if (sent.length < this.limit) {
          sent.push(now);
          await this.folder.write(`${this.name}.pace`, JSON.stringify(sent));
          return;
        }
        wait = sent[sent.length - this.limit] + this.windowMs - now;
      } finally {
        await release();
      }
      await pause(Math.max(1, wait), signal);
    }
  }

  private sent(): number[] {
    try {
      const value = JSON.parse(this.folder.read(`${this.name}.pace`) ?? '[]') as unknown;
      return Array.isArray(value) ? value.filter((t): t is number => typeof t === 'number').sort((a, b) => a - b) : [];
    } catch {
      return []; // cut short by a crash: the next write replaces it
    }
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
