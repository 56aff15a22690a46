import { createHash } from 'node:crypto';
import type { BlockObjectResponse } from '@notionhq/client';
import { type BlockNode, blockType } from './blockTree';
import { toRequest } from './blockRequests';

// The proof that blocks are Visen's: after a lost answer, a batch found exactly at its anchor with exactly the
// content sent, created by the token's own user no earlier than the request left; and the content hashes that
// let Undo tell a block someone edited since.

/** Where a batch went and when, which is what proves that blocks found there after a lost answer are Visen's. */
export interface LandedWhere {
  readonly after?: string;
  /** Written in place; `existing`: blocks that were in the parent before Visen wrote, never Visen's. */
  readonly inPlace?: { readonly existing?: readonly string[] };
  readonly start?: string | null;
  readonly skip?: number;
  /** When the request left (ms since the epoch, local clock): Visen's blocks were created in that minute or later, on Notion's clock. */
  readonly sentAt?: number;
  readonly signal?: AbortSignal;
}

/** What the proof reads in Notion: a block's children, and who the token's user is. */
export interface BlockReader {
  children(blockId: string, signal?: AbortSignal): Promise<BlockObjectResponse[]>;
  me(): Promise<string>;
  /** A time of this machine's clock on Notion's clock, as Notion's answers tell (the same when they told nothing). */
  notionTime(localMs: number): number;
}

export class Authorship {
  constructor(private readonly reader: BlockReader) {}

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
    const sentAt = where.sentAt === undefined ? undefined : this.reader.notionTime(where.sentAt);
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

  /**
   * The content hash of a block as it is in Notion now (the same as `hashOfNode` of what was written, until
   * someone changes it). A table's rows are read too: its cells are its content.
   */
  async hashOf(block: BlockObjectResponse, signal?: AbortSignal): Promise<string> {
    const rows = block.type === 'table' ? (await this.children(block.id, signal)).map(contentOfResponse) : [];
    return hash(JSON.stringify([contentOfResponse(block), block.has_children, rows]));
  }

  private children(blockId: string, signal?: AbortSignal): Promise<BlockObjectResponse[]> {
    return this.reader.children(blockId, signal);
  }

  private me(): Promise<string> {
    return this.reader.me();
  }
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
