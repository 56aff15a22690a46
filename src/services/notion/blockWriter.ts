import type { AppendBlockChildrenParameters, BlockObjectRequest, BlockObjectResponse, Client } from '@notionhq/client';
import { type BlockNode, blockType } from './blockTree';
import { withSignal } from './notionClient';
import { NotionError, toNotionError } from './notionErrors';

/** Notion's request limits (developers.notion.com, "Request limits"): children per array, blocks and bytes per request. */
export const MAX_CHILDREN_PER_REQUEST = 100;
const MAX_BLOCKS_PER_REQUEST = 1000;
/** Well under the 500 KB payload limit: JSON escaping and the request envelope need room. */
const MAX_BYTES_PER_REQUEST = 400_000;

/** What one top-level append did: the ids Notion gave the blocks, in order. */
export interface AppendedBlocks {
  readonly ids: string[];
}

export interface AppendOptions {
  readonly signal?: AbortSignal;
  /** Called before each top-level append goes out, with how many blocks it carries. */
  readonly onSending?: (count: number) => void | Promise<void>;
  /** Called once the top-level blocks exist in Notion, before their deeper children follow. */
  readonly onCreated?: (ids: readonly string[]) => void;
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
}

/**
 * A failure of a write whose outcome Notion never told (a timeout, a dropped connection, a 5xx after the
 * request went out): the blocks may or may not be in the page, so the next write must look first.
 */
export function isUncertain(error: NotionError): boolean {
  if (error.problem === 'cancelled') return error.inFlight === true;
  return error.problem === 'server' || error.problem === 'network' || error.problem === 'timeout' || (error.problem === 'unknown' && error.status === undefined);
}

/**
 * Writes block trees into Notion through the block API, which returns the ids of what it created.
 * Notion takes at most two levels of blocks per request and 100 children per array: deeper levels and
 * longer child lists follow in appends to the ids of their parents, in order, so a tree of any depth and
 * width lands complete. A write whose outcome is unknown is checked against the page before it is sent
 * again, so nothing lands twice.
 */
/** Where one append request puts its blocks (Notion's `position`). */
export type AppendPosition = NonNullable<AppendBlockChildrenParameters['position']>;

/** At the end, or in place: after `after`, or at the start when there is none. */
export function positionFor(after: string | undefined, inPlace: boolean): AppendPosition {
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
    for (const batch of batches(nodes)) {
      options.signal?.throwIfAborted();
      const sent = batch.map(toRequest);
      await options.onSending?.(batch.length);
      const created = await this.appendOnce(parentId, sent.map((s) => s.request), batch, after, options);
      // In place, the next request goes after this one's last block, so the text lands in order.
      ids.push(...created);
      after = created[created.length - 1];
      options.onCreated?.(created);
      for (let i = 0; i < batch.length; i++) {
        const later = sent[i].deferred;
        // A block whose children did not all land is written again whole, so their uncertainty needs no record.
        if (later.length > 0) await this.append(created[i], later, { signal: options.signal });
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
      const page = await this.call(() => this.client.blocks.children.list({ block_id: blockId, start_cursor: cursor, page_size: 100 }), signal);
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
    after: string | undefined,
    options: AppendOptions,
  ): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const position = positionFor(after, options.inPlace !== undefined);
        const response = await this.call(() => this.client.blocks.children.append({ block_id: parentId, children, position }), options.signal);
        return response.results.map((block) => block.id);
      } catch (error) {
        const problem = toNotionError(error);
        if (!isUncertain(problem)) throw problem;
        // Cancelled while Notion answered: whether it landed is checked before anything is sent again.
        const landed = attempt > 0 || problem.problem === 'cancelled' ? undefined : await this.landed(parentId, nodes, { after, inPlace: options.inPlace, signal: options.signal }).catch(() => undefined);
        if (landed === undefined) {
          options.onUncertain?.(nodes.length);
          throw problem;
        }
        if (landed.length > 0) return landed;
      }
    }
  }

  /**
   * The ids of `nodes` if the parent ends with them (right after `after`, when Visen wrote a block before
   * them), else none. In place: if they follow `after` (or open the parent), and are not the block that
   * was there before.
   */
  async landed(parentId: string, nodes: readonly BlockNode[], where: Pick<AppendOptions, 'after' | 'inPlace' | 'signal'> = {}): Promise<string[]> {
    const { after, inPlace } = where;
    const existing = await this.children(parentId, where.signal);
    let start = existing.length - nodes.length;
    if (inPlace) start = after === undefined ? 0 : existing.findIndex((block) => block.id === after) + 1;
    else if (after !== undefined && existing[start - 1]?.id !== after) return [];
    if (start < 0 || (inPlace && after !== undefined && start === 0)) return [];
    const run = existing.slice(start, start + nodes.length);
    if (run.length < nodes.length || run.some((block) => inPlace?.existing?.includes(block.id))) return [];
    return run.every((block, i) => signatureOfResponse(block) === signatureOfNode(nodes[i])) ? run.map((b) => b.id) : [];
  }

  private async call<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await withSignal(signal, request);
    } catch (error) {
      throw toNotionError(error);
    }
  }
}

/** A block request with the children that travel with it, and those appended to it afterwards. */
interface Outgoing {
  readonly request: BlockObjectRequest;
  readonly deferred: readonly BlockNode[];
  readonly blocks: number;
  readonly bytes: number;
}

/**
 * Children travel with their parent when none of them has children of its own (two levels per request),
 * up to 100 of them; the rest are appended to the parent's id once Notion has given it one.
 */
function toRequest(node: BlockNode): Outgoing {
  const leaves = node.children.every((child) => child.children.length === 0);
  const inline = leaves ? node.children.slice(0, MAX_CHILDREN_PER_REQUEST) : [];
  const deferred = node.children.slice(inline.length);
  const request = inline.length === 0 ? node.block : withChildren(node.block, inline.map((child) => child.block));
  return { request, deferred, blocks: 1 + inline.length, bytes: JSON.stringify(request).length };
}

function withChildren(block: BlockObjectRequest, children: BlockObjectRequest[]): BlockObjectRequest {
  const type = blockType(block);
  const payload = (block as unknown as Record<string, object>)[type];
  return { ...block, [type]: { ...payload, children } } as BlockObjectRequest;
}

/** Top-level nodes grouped into requests within Notion's limits; order is kept. */
function* batches(nodes: readonly BlockNode[]): Generator<BlockNode[]> {
  let batch: BlockNode[] = [];
  let blocks = 0;
  let bytes = 0;
  for (const node of nodes) {
    const out = toRequest(node);
    const full = batch.length >= MAX_CHILDREN_PER_REQUEST || blocks + out.blocks > MAX_BLOCKS_PER_REQUEST || bytes + out.bytes > MAX_BYTES_PER_REQUEST;
    if (batch.length > 0 && full) {
      yield batch;
      batch = [];
      blocks = 0;
      bytes = 0;
    }
    batch.push(node);
    blocks += out.blocks;
    bytes += out.bytes;
  }
  if (batch.length > 0) yield batch;
}

type RichTextLike = { plain_text?: string; text?: { content?: string }; equation?: { expression?: string } };

function plainText(items: unknown): string {
  if (!Array.isArray(items)) return '';
  return (items as RichTextLike[]).map((item) => item.plain_text ?? item.text?.content ?? item.equation?.expression ?? '').join('');
}

/** What identifies a block's content, the same whether read from a request or from Notion's answer. */
function signature(type: string, payload: Record<string, unknown> | undefined): string {
  if (!payload) return type;
  const parts = [type, plainText(payload.rich_text)];
  if (typeof payload.expression === 'string') parts.push(payload.expression);
  if (typeof payload.table_width === 'number') parts.push(String(payload.table_width));
  const external = payload.external as { url?: string } | undefined;
  if (external?.url) parts.push(external.url);
  return parts.join('\u0000');
}

export function signatureOfNode(node: BlockNode): string {
  const type = blockType(node.block);
  return signature(type, (node.block as unknown as Record<string, Record<string, unknown>>)[type]);
}

export function signatureOfResponse(block: BlockObjectResponse): string {
  return signature(block.type, (block as unknown as Record<string, Record<string, unknown>>)[block.type]);
}
