import type { BlockObjectRequest } from '@notionhq/client';
import { type BlockNode, blockType } from './blockTree';

// How block trees are cut into Notion's append requests: what travels with its parent, what follows it, and
// how many top-level blocks go in one request.

/** Notion's request limits (developers.notion.com, "Request limits"): children per array, blocks and bytes per request. */
const MAX_CHILDREN_PER_REQUEST = 100;
const MAX_BLOCKS_PER_REQUEST = 1000;
/**
 * Well under the 500 KB payload limit, counted in UTF-8 bytes as the request travels (a CJK character is one
 * UTF-16 unit but three bytes): the request envelope and the ids of a position need room.
 */
const MAX_BYTES_PER_REQUEST = 400_000;

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

export function toRequest(node: BlockNode): Outgoing {
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
export function* batches(nodes: readonly BlockNode[]): Generator<BlockNode[]> {
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
