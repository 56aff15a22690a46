import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Pacing, takeSlot } from './pacing';

/** A lock on the shared send times older than this was left by a window that is gone. */
const STALE_LOCK_MS = 2_000;

/**
 * Notion's pacing shared by every window on the machine (it lives in the Notion SDK's bundle, loaded with the
 * first request): for each integration, a file under the shared
 * folder holds the times its last requests left, and a request leaves only when fewer than `limit` left in
 * the last `windowMs` (whichever window sent them). The file is read and written under a lock file, in one
 * synchronous step that ends as the request leaves: two windows never both take the last slot, and the time
 * written is the time the request went. Within one window, requests take their turn in order first.
 */
export class SharedPacing implements Pacing {
  private tail: Promise<void> = Promise.resolve();
  private readonly times: string;
  private readonly lock: string;
  private made = false;

  constructor(
    private readonly dir: string,
    /** Which integration: its requests share one pace (a digest, never the secret itself). */
    integration: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    const name = `notion-${createHash('sha256').update(integration).digest('hex').slice(0, 32)}`;
    this.times = path.join(dir, `${name}.pace`);
    this.lock = path.join(dir, `${name}.pace-lock`);
  }

  /** Resolves when a request may leave; at once (sending nothing) when `signal` was aborted meanwhile. */
  slot(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.take(signal));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    if (!this.made) {
      await fs.promises.mkdir(this.dir, { recursive: true });
      this.made = true;
    }
    for (;;) {
      if (signal?.aborted) return;
      const wait = this.tryTake();
      if (wait === 0) return;
      await pause(wait, signal);
    }
  }

  /** 0 when a slot was taken (the request leaves now), else how long to wait before trying again. */
  private tryTake(): number {
    if (!this.lockNow()) return 2 + Math.random() * 4;
    try {
      return this.take1(this.sent(), (sent) => {
        const temp = `${this.times}.${randomBytes(6).toString('hex')}.tmp`;
        fs.writeFileSync(temp, JSON.stringify(sent));
        fs.renameSync(temp, this.times);
      });
    } finally {
      fs.rmSync(this.lock, { force: true });
    }
  }

  private take1(times: number[], keep: (sent: number[]) => void): number {
    return takeSlot(times, this.limit, this.windowMs, keep);
  }

  private lockNow(): boolean {
    try {
      fs.closeSync(fs.openSync(this.lock, 'wx'));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      // A window that crashed between taking the lock and letting it go.
      if (Date.now() - fs.statSync(this.lock).mtimeMs > STALE_LOCK_MS) fs.rmSync(this.lock, { force: true });
    } catch {
      // Gone meanwhile.
    }
    return false;
  }

  private sent(): number[] {
    try {
      const value = JSON.parse(fs.readFileSync(this.times, 'utf8')) as unknown;
      return Array.isArray(value) ? value.filter((t): t is number => typeof t === 'number').sort((a, b) => a - b) : [];
    } catch {
      return []; // none yet, or cut short by a crash: the next write replaces it
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
