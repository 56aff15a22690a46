import type { AppendBlockChildrenParameters, BlockObjectRequest, BlockObjectResponse, Client } from '@notionhq/client';
import { Authorship, type LandedWhere } from './authorship';
import type { BlockNode } from './blockTree';
import { batches, toRequest } from './blockRequests';
import { withSignal } from './notionClient';
import { clockOf } from './notionClock';
import { NotionError, toNotionError } from './notionErrors';
import { whoAmI } from './tokenIdentity';

/** What one top-level append did: the ids Notion gave the blocks, in order. */
export interface AppendOptions {
  readonly signal?: AbortSignal;
  /** Called before each top-level append goes out, with how many blocks it carries. */
  readonly onSending?: (count: number) => void | Promise<void>;
  /** Called once the top-level blocks exist in Notion (`nodes`: what they were written from), before their deeper children follow. */
  readonly onCreated?: (ids: readonly string[], nodes: readonly BlockNode[]) => void;
  /** The block Visen wrote just before these, if any: a write whose outcome is unknown landed only if it follows that one. */
  readonly after?: string;
  /**
   * Writes in place instead of at the end: right after `after` (at the start of the parent when it is absent),
   * each next request after the last block written. `existing`: blocks that were in the parent before Visen
   * wrote (the one that followed there, those a replace trashes): never Visen's, so finding one of them right
   * after `after` means a write did not land.
   */
  readonly inPlace?: { readonly existing?: readonly string[] };
  /** Called when a top-level append failed and whether its `count` blocks landed could not be checked. */
  readonly onUncertain?: (count: number) => void;
  /**
   * Appending at the end with no `after`: the parent's last block read before Visen's first write there
   * (`null`: the parent was empty). The first blocks went right after it; unknown (undefined), blocks found
   * after a lost answer are never taken for Visen's.
   */
  readonly start?: string | null;
  /** How many children Visen put in the parent before these (a block Visen created): they go right after them. */
  readonly skip?: number;
}

/**
 * A failure of a write whose outcome Notion never told (a timeout, a dropped connection, a 5xx after the
 * request went out): the blocks may or may not be in the page, so the next write must look first.
 */
function isUncertain(error: NotionError): boolean {
  if (error.problem === 'cancelled') return error.inFlight === true;
  return (
    error.problem === 'server' ||
    error.problem === 'network' ||
    error.problem === 'timeout' ||
    (error.problem === 'unknown' && error.status === undefined)
  );
}

/**
 * Writes block trees into Notion through the block API, which returns the ids of what it created.
 * Notion takes at most two levels of blocks per request and 100 children per array: deeper levels and
 * longer child lists follow in appends to the ids of their parents, in order, so a tree of any depth and
 * width lands complete. A write whose outcome is unknown is checked against the page before it is sent
 * again, so nothing lands twice.
 */
/** Where one append request puts its blocks (Notion's `position`). */
type AppendPosition = NonNullable<AppendBlockChildrenParameters['position']>;

/** At the end, or in place: after `after`, or at the start when there is none. */
function positionFor(after: string | undefined, inPlace: boolean): AppendPosition {
  if (!inPlace) return { type: 'end' };
  return after === undefined ? { type: 'start' } : { type: 'after_block', after_block: { id: after } };
}

export class BlockWriter {
  constructor(private readonly client: Client) {}

  /**
   * Appends `nodes` at the end of `parentId` (or in place, see `inPlace`), in as few requests as Notion's
   * limits allow, and returns the ids of the top-level blocks. Resolves once every level is written.
   */
  async append(parentId: string, nodes: readonly BlockNode[], options: AppendOptions = {}): Promise<string[]> {
    const ids: string[] = [];
    let after = options.after;
    let skip = options.skip;
    for (const batch of batches(nodes)) {
      options.signal?.throwIfAborted();
      const sent = batch.map(toRequest);
      await options.onSending?.(batch.length);
      const created = await this.appendOnce(
        parentId,
        sent.map((s) => s.request),
        batch,
        { ...options, after, skip },
      );
      // In place, the next request goes after this one's last block, so the text lands in order.
      ids.push(...created);
      after = created[created.length - 1];
      if (skip !== undefined) skip += created.length;
      options.onCreated?.(created, batch);
      for (let i = 0; i < batch.length; i++) {
        const later = sent[i].deferred;
        // Children that did not travel with their parent follow it, right after those that did: each request
        // is checked in that parent, so a lost answer there is completed, never taken for written. A block
        // whose children did not all land is written again whole, so their uncertainty needs no record.
        if (later.length > 0) await this.append(created[i], later, { signal: options.signal, skip: sent[i].blocks - 1 });
      }
    }
    return ids;
  }

  /** Every child of a page or block, in order (Notion pages through them 100 at a time). */
  async children(blockId: string, signal?: AbortSignal): Promise<BlockObjectResponse[]> {
    const all: BlockObjectResponse[] = [];
    let cursor: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = await this.call(
        () => this.client.blocks.children.list({ block_id: blockId, start_cursor: cursor, page_size: 100 }),
        signal,
      );
      for (const block of page.results) if ('type' in block) all.push(block);
      cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    } while (cursor);
    return all;
  }

  /** Moves a block to Notion's trash, where it keeps its place and id until it is restored. */
  async trash(blockId: string, signal?: AbortSignal): Promise<void> {
    await this.call(() => this.client.blocks.delete({ block_id: blockId }), signal);
  }

  /** Takes a block out of the trash: it comes back where it was, with its id, children and comments. */
  async restore(blockId: string, signal?: AbortSignal): Promise<void> {
    await this.call(() => this.client.blocks.update({ block_id: blockId, in_trash: false }), signal);
  }

  /**
   * One append request. When its outcome is unknown, the parent's last children are compared with what
   * the request carried: if they are those blocks, the write landed and their ids are taken; if not, it
   * is sent once more.
   */
  private async appendOnce(
    parentId: string,
    children: BlockObjectRequest[],
    nodes: readonly BlockNode[],
    options: AppendOptions,
  ): Promise<string[]> {
    const { after } = options;
    for (let attempt = 0; ; attempt++) {
      const sentAt = Date.now();
      try {
        const position = positionFor(after, options.inPlace !== undefined);
        const response = await this.call(
          () => this.client.blocks.children.append({ block_id: parentId, children, position }),
          options.signal,
        );
        return response.results.map((block) => block.id);
      } catch (error) {
        const problem = toNotionError(error);
        if (!isUncertain(problem)) throw problem;
        // Cancelled while Notion answered: whether it landed is checked before anything is sent again.
        const where: LandedWhere = {
          after,
          inPlace: options.inPlace,
          start: options.start,
          skip: options.skip,
          sentAt,
          signal: options.signal,
        };
        const landed =
          attempt > 0 || problem.problem === 'cancelled' ? undefined : await this.landed(parentId, nodes, where).catch(() => undefined);
        if (landed === undefined) {
          options.onUncertain?.(nodes.length);
          throw problem;
        }
        if (landed.length > 0) return landed;
      }
    }
  }

  /** The id of the token's own user (a bot, or the person a personal token acts as), asked once per client. */
  me(): Promise<string> {
    return this.call(() => whoAmI(this.client)).then((identity) => identity.id);
  }

  /** A time of this machine's clock on Notion's clock, as this client's answers tell. */
  notionTime(localMs: number): number {
    return clockOf(this.client)?.toNotion(localMs) ?? localMs;
  }

  /**
   * The ids of `nodes` if they are in the parent, proven Visen's; else none (see `Authorship.landed`).
   */
  landed(parentId: string, nodes: readonly BlockNode[], where: LandedWhere = {}): Promise<string[]> {
    return new Authorship(this).landed(parentId, nodes, where);
  }

  /** The content hash of a block as it is in Notion now (see `Authorship.hashOf`). */
  hashOf(block: BlockObjectResponse, signal?: AbortSignal): Promise<string> {
    return new Authorship(this).hashOf(block, signal);
  }

  private async call<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await withSignal(signal, request);
    } catch (error) {
      throw toNotionError(error);
    }
  }
}
