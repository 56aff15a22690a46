import type { Client } from '@notionhq/client';

/**
 * Notion's clock as one client has seen it, from the `Date` header of its answers (RFC 9110 §6.6.1: the
 * server's time when it made the answer, to the second). Blocks carry Notion's times (`created_time`), which
 * Visen compares with when its requests left: on a machine whose clock is ahead of Notion's, the local time
 * would refuse Visen's own blocks. The SDK hands back only the body of an answer (@notionhq/client 5.26,
 * `executeSingleRequest`), so the clock is read in the fetch the client is given (createNotionClient).
 */
export class NotionClock {
  private offsetMs: number | undefined;

  /** An answer's `Date` header, and the local time its headers arrived. */
  observe(date: string | null | undefined, receivedAt: number): void {
    const server = date ? Date.parse(date) : Number.NaN;
    if (!Number.isFinite(server)) return;
    // Notion made the answer before it arrived, and its header is cut to the second: Notion's time was at
    // least `server` at a local time no later than `receivedAt`. The newest answer counts: a local clock can
    // be set while Visen runs.
    this.offsetMs = server - receivedAt;
  }

  /** A local time on Notion's clock, never later than Notion's own; the local time itself until an answer told. */
  toNotion(local: number): number {
    return local + (this.offsetMs ?? 0);
  }
}

const clocks = new WeakMap<Client, NotionClock>();

/** Registers the clock a client's answers set (createNotionClient does). */
export function registerClock(client: Client, clock: NotionClock): void {
  clocks.set(client, clock);
}

/** The clock of a client createNotionClient made; undefined for any other. */
export function clockOf(client: Client): NotionClock | undefined {
  return clocks.get(client);
}
