import type { BlockObjectResponse } from '@notionhq/client';
import type { BlockWriter } from './blockWriter';

/** A top-level heading of a page: where "after a heading" can write. */
export interface PageHeading {
  readonly id: string;
  readonly level: 1 | 2 | 3 | 4;
  readonly text: string;
}

const LEVELS: Readonly<Record<string, PageHeading['level']>> = { heading_1: 1, heading_2: 2, heading_3: 3, heading_4: 4 };

/** The page's top-level headings, in order, read with the block API (what the writer anchors to is a block id). */
export async function pageHeadings(writer: BlockWriter, pageId: string, signal?: AbortSignal): Promise<PageHeading[]> {
  const blocks = await writer.children(pageId, signal);
  return blocks.flatMap((block) => {
    const level = LEVELS[block.type];
    return level ? [{ id: block.id, level, text: headingText(block) }] : [];
  });
}

function headingText(block: BlockObjectResponse): string {
  const payload = (block as unknown as Record<string, { rich_text?: { plain_text?: string }[] }>)[block.type];
  return (payload?.rich_text ?? [])
    .map((t) => t.plain_text ?? '')
    .join('')
    .trim();
}
