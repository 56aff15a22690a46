import { createHash } from 'node:crypto';
import type { AppendBlockChildrenParameters, BlockObjectRequest, BlockObjectResponse, Client } from '@notionhq/client';
import { type BlockNode, blockType } from './blockTree';
import { withSignal } from './notionClient';
import { clockOf } from './notionClock';
import { NotionError, toNotionError } from './notionErrors';
import { whoAmI } from './tokenIdentity';

/** Notion's request limits (developers.notion.com, "Request limits"): children per array, blocks and bytes per request. */
const MAX_CHILDREN_PER_REQUEST = 100;
const MAX_BLOCKS_PER_REQUEST = 1000;
/**
 * Well under the 500 KB payload limit, counted in UTF-8 bytes as the request travels (a CJK character is one
 * UTF-16 unit but three bytes): the request envelope and the ids of a position need room.
 */
const MAX_BYTES_PER_REQUEST = 400_000;

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

/** Where a batch went and when, which is what proves that blocks found there after a lost answer are Visen's. */
export interface LandedWhere {
  readonly after?: string;
  readonly inPlace?: AppendOptions['inPlace'];
  readonly start?: string | null;
  readonly skip?: number;
  /** When the request left (ms since the epoch, local clock): Visen's blocks were created in that minute or later, on Notion's clock. */
  readonly sentAt?: number;
  readonly signal?: AbortSignal;
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

  /**
   * The ids of `nodes` if they are in the parent, proven Visen's; else none. Proven means: exactly where the
   * request put them (right after `after`; in place with no `after`, at the start; appending at the end, right
   * after `start`, the parent's last block before the first write, at the start when it was `null`; in a block
   * Visen created, right after the `skip` children it put there first), with exactly the content sent, their
   * children included, created by the token's own user no earlier than the minute the request left. Blocks
   * that were there before (`inPlace.existing`) are never Visen's.
   */
  async landed(parentId: string, nodes: readonly BlockNode[], where: LandedWhere = {}): Promise<string[]> {
    const { after, inPlace } = where;
    const existing = await this.children(parentId, where.signal);
    let start: number;
    if (where.skip !== undefined) start = where.skip;
    else {
      const anchor = after ?? (inPlace ? null : where.start);
      if (anchor === undefined) return [];
      start = anchor === null ? 0 : existing.findIndex((block) => block.id === anchor) + 1;
      if (start === 0 && anchor !== null) return [];
    }
    const run = existing.slice(start, start + nodes.length);
    if (run.length < nodes.length || run.some((block) => inPlace?.existing?.includes(block.id))) return [];
    const me = await this.me();
    // created_time is on Notion's clock, kept to the minute: a block created in the minute the request left,
    // on Notion's clock (as its answers tell), may be Visen's. The local clock may be off by minutes.
    const sentAt = where.sentAt === undefined ? undefined : (clockOf(this.client)?.toNotion(where.sentAt) ?? where.sentAt);
    const earliest = sentAt === undefined ? undefined : Math.floor(sentAt / 60_000) * 60_000;
    for (let i = 0; i < run.length; i++) {
      const block = run[i];
      if (block.created_by?.id !== me) return [];
      if (earliest !== undefined && !(Date.parse(block.created_time) >= earliest)) return [];
      if (!(await this.sameTree(block, nodes[i], toRequest(nodes[i]).blocks - 1, where.signal))) return [];
    }
    return run.map((block) => block.id);
  }

  /** Whether `block` holds exactly `node`'s content and, of its children, exactly the first `inline` (those sent with it). */
  private async sameTree(block: BlockObjectResponse, node: BlockNode, inline: number, signal?: AbortSignal): Promise<boolean> {
    if (contentOfResponse(block) !== contentOfNode(node)) return false;
    if (inline === 0) return !block.has_children;
    const children = await this.children(block.id, signal);
    if (children.length !== inline) return false;
    return children.every((child, i) => contentOfResponse(child) === contentOfNode(node.children[i]) && !child.has_children);
  }

  /** The id of the token's own user (a bot, or the person a personal token acts as), asked once per client. */
  me(): Promise<string> {
    return this.call(() => whoAmI(this.client)).then((identity) => identity.id);
  }

  /**
   * The content hash of a block as it is in Notion now (the same as `hashOfNode` of what was written, until
   * someone changes it). A table's rows are read too: its cells are its content.
   */
  async hashOf(block: BlockObjectResponse, signal?: AbortSignal): Promise<string> {
    const rows = block.type === 'table' ? (await this.children(block.id, signal)).map(contentOfResponse) : [];
    return hash(JSON.stringify([contentOfResponse(block), block.has_children, rows]));
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
/** Whether `node` goes in one request with all its children: found landed (checked whole), it is complete. */
export function travelsWhole(node: BlockNode): boolean {
  return toRequest(node).deferred.length === 0;
}

function toRequest(node: BlockNode): Outgoing {
  const leaves = node.children.every((child) => child.children.length === 0);
  const inline = leaves ? node.children.slice(0, MAX_CHILDREN_PER_REQUEST) : [];
  const deferred = node.children.slice(inline.length);
  const request =
    inline.length === 0
      ? node.block
      : withChildren(
          node.block,
          inline.map((child) => child.block),
        );
  return { request, deferred, blocks: 1 + inline.length, bytes: Buffer.byteLength(JSON.stringify(request), 'utf8') };
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
    const full =
      batch.length >= MAX_CHILDREN_PER_REQUEST || blocks + out.blocks > MAX_BLOCKS_PER_REQUEST || bytes + out.bytes > MAX_BYTES_PER_REQUEST;
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

/** A payload's fields that are content, with the value Notion gives them when a request leaves them out. */
const CONTENT_FIELDS: Record<string, unknown> = {
  rich_text: [],
  caption: [],
  cells: [],
  color: 'default',
  checked: false,
  is_toggleable: false,
  language: undefined,
  expression: undefined,
  table_width: undefined,
  has_column_header: false,
  has_row_header: false,
  icon: null,
  url: undefined,
  external: undefined,
};

type RichTextLike = {
  type?: string;
  text?: { content?: string; link?: { url?: string } | null };
  equation?: { expression?: string };
  mention?: unknown;
  annotations?: Record<string, unknown>;
  plain_text?: string;
};

const MARKS: Record<string, unknown> = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: 'default',
};

/**
 * Rich text as comparable runs [kind, text, link, marks], the same from a request and from Notion's answer:
 * annotations with their defaults, neighbouring runs of equal formatting joined (Notion merges them and cuts
 * long ones into pieces of 2,000 characters), empty runs left out.
 */
function runs(items: unknown): unknown[][] {
  if (!Array.isArray(items)) return [];
  const out: [string, string, string | null, string][] = [];
  for (const item of items as RichTextLike[]) {
    const kind = item.type ?? (item.equation ? 'equation' : item.mention ? 'mention' : 'text');
    const marks = JSON.stringify(Object.keys(MARKS).map((k) => item.annotations?.[k] ?? MARKS[k]));
    const text =
      kind === 'text'
        ? (item.text?.content ?? '')
        : kind === 'equation'
          ? (item.equation?.expression ?? '')
          : JSON.stringify(item.mention ?? null);
    const link = kind === 'text' ? (item.text?.link?.url ?? null) : null;
    if (kind === 'text' && text === '') continue;
    const last = out[out.length - 1];
    if (kind === 'text' && last?.[0] === 'text' && last[2] === link && last[3] === marks) last[1] += text;
    else out.push([kind, text, link, marks]);
  }
  return out;
}

/** A block's own content (its children apart) as one comparable string: type and every content field. */
function content(type: string, payload: Record<string, unknown> | undefined): string {
  const fields: unknown[] = [type];
  for (const [key, absent] of Object.entries(CONTENT_FIELDS)) {
    let value = payload?.[key];
    if (value === undefined || value === null || JSON.stringify(value) === JSON.stringify(absent)) continue;
    if (key === 'rich_text' || key === 'caption') value = runs(value);
    else if (key === 'cells') value = (value as unknown[]).map(runs);
    else if (key === 'external') value = (value as { url?: string }).url;
    else if (key === 'icon') value = sorted(value);
    fields.push(key, value);
  }
  return JSON.stringify(fields);
}

function sorted(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}

export function contentOfNode(node: BlockNode): string {
  const type = blockType(node.block);
  return content(type, (node.block as unknown as Record<string, Record<string, unknown>>)[type]);
}

function contentOfResponse(block: BlockObjectResponse): string {
  return content(block.type, (block as unknown as Record<string, Record<string, unknown>>)[block.type]);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/**
 * The content hash of a block as Visen writes it: its own content, whether it has children, and a table's rows.
 * Nested blocks (a list's sub-items) are not read for it: Undo's check costs one listing of the page, plus one
 * per table, however long the lists.
 */
export function hashOfNode(node: BlockNode): string {
  const type = blockType(node.block);
  const rows = type === 'table' ? node.children.map(contentOfNode) : [];
  return hash(JSON.stringify([contentOfNode(node), node.children.length > 0, rows]));
}
