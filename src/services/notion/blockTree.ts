import type { BlockObjectRequest } from '@notionhq/client';

/**
 * One Notion block to write, in the SDK's request form, with its children to any depth beside it. The
 * payload itself never carries `children`: Notion takes two levels per request, so the block writer
 * decides which children travel with their parent and which follow in later appends to the parent's id.
 */
export interface BlockNode {
  readonly block: BlockObjectRequest;
  readonly children: readonly BlockNode[];
}

/** The block's type: the one key of its payload besides `type` and `object`. */
export function blockType(block: BlockObjectRequest): string {
  const explicit = (block as { type?: string }).type;
  return explicit ?? Object.keys(block).find((key) => key !== 'object' && key !== 'type')!;
}
