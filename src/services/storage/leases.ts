import { randomUUID } from 'node:crypto';
import type { RecordFolder } from './recordFolder';

/**
 * A claim a window holds on something every window on the machine can see (a run, a page): who holds it
 * and until when. The holder renews it every few seconds; once it has expired its holder is gone (closed,
 * reloaded, crashed), and others may take over.
 */
export interface Lease {
  readonly owner: string;
  readonly expiresAt: number;
}

/** How long a lease lasts, and how often its holder renews it. */
export const LEASE_TIMING = { durationMs: 15_000, renewMs: 3_000 };

/** An id for this window (one extension host), for the leases it holds. */
export function newOwnerId(): string {
  return randomUUID();
}

export function readLease(folder: RecordFolder, name: string): Lease | undefined {
  const text = folder.read(name);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Lease>;
    if (typeof value.owner === 'string' && typeof value.expiresAt === 'number') return { owner: value.owner, expiresAt: value.expiresAt };
  } catch {
    // A lease cut short: treated as expired.
  }
  return { owner: '', expiresAt: 0 };
}

export function leaseText(owner: string, durationMs = LEASE_TIMING.durationMs): string {
  return JSON.stringify({ owner, expiresAt: Date.now() + durationMs } satisfies Lease);
}

export function isLive(lease: Lease | undefined, now = Date.now()): lease is Lease {
  return lease !== undefined && lease.expiresAt > now;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Takes the lock file `name` in `folder` for `owner`: waits while another live holder has it, takes it over
 * once that holder's lease has expired. Returns the release; the lease is renewed until then.
 */
export async function acquireLockFile(
  folder: RecordFolder,
  name: string,
  owner: string,
  options: { signal?: AbortSignal; onWait?: () => void; pollMs?: number; timing?: typeof LEASE_TIMING } = {},
): Promise<() => Promise<void>> {
  const timing = options.timing ?? LEASE_TIMING;
  let waited = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await folder.create(name, leaseText(owner, timing.durationMs))) break;
    const held = readLease(folder, name);
    if (held === undefined) continue;
    if (!isLive(held)) {
      // The holder is gone: take its stale lock away (only the one who removes it may create the next).
      await folder.remove(name);
      continue;
    }
    if (!waited) {
      waited = true;
      options.onWait?.();
    }
    await sleep((options.pollMs ?? 100) * (0.5 + Math.random()), options.signal);
  }
  let released = false;
  const renew = setInterval(() => {
    if (released) return;
    const lease = readLease(folder, name);
    if (lease?.owner !== owner) return;
    void folder.write(name, leaseText(owner, timing.durationMs)).catch(() => undefined);
  }, timing.renewMs);
  renew.unref?.();
  return async () => {
    if (released) return;
    released = true;
    clearInterval(renew);
    if (readLease(folder, name)?.owner === owner) await folder.remove(name);
  };
}
