// Markdown reads past Notion's record limit (developers.notion.com/reference/retrieve-page-markdown, "Truncation"):
// "Pages are rendered up to a limit of approximately 20,000 records. When a page exceeds this limit: 1. The
// truncated field is set to true. 2. Blocks that could not be loaded appear as <unknown> tags in the markdown.
// 3. The unknown_block_ids array contains the IDs of these unloaded blocks. You can fetch the content of unloaded
// blocks by passing their IDs back to this same endpoint as the page_id path parameter." The endpoint "also accepts
// non-navigable block IDs returned in unknown_block_ids from a previous truncated response".
//
// The stand-in counts a block and its live descendants as records. Top-level blocks are loaded in order while they
// fit `limit`; the first that does not, and every one after it, comes back as an `<unknown …/>` tag with its id
// listed. The first block is always loaded, so reading the rest block by block always moves on. A block read by id
// renders that block with its children.
import { blocksToMarkdown, type StoredBlock } from './notionContent';
import {
  type PageMarkdownResponse,
  type Store,
  idParam,
  liveBlocks,
  locateBlock,
  notFound,
  renderCtx,
  requirePage,
  trashed,
} from './notionStore';

/** Notion's documented limit ("approximately 20,000 records"). */
const MARKDOWN_RECORD_LIMIT = 20_000;

function records(s: Store, block: StoredBlock): number {
  return 1 + liveBlocks(s, block.children).reduce((n, child) => n + records(s, child), 0);
}

/** GET /v1/pages/:id/markdown for a page, or for a block id from `unknown_block_ids`. */
export function readMarkdown(s: Store, rawId: string, limit = MARKDOWN_RECORD_LIMIT): PageMarkdownResponse {
  const id = idParam(rawId, 'page_id');
  const ctx = renderCtx(s);
  if (!s.pages.has(id)) {
    const found = locateBlock(s, id);
    if (found && !trashed(found)) {
      return { object: 'page_markdown', id, markdown: blocksToMarkdown([found.block], ctx), truncated: false, unknown_block_ids: [] };
    }
    if (found) throw notFound('block', id);
  }
  const page = requirePage(s, rawId);
  const blocks = liveBlocks(s, page.blocks);
  let used = 0;
  let cut = blocks.length;
  for (let i = 0; i < blocks.length; i++) {
    used += records(s, blocks[i]);
    if (used > limit && i > 0) {
      cut = i;
      break;
    }
  }
  const left = blocks.slice(cut);
  const tags = left.map((b) => `<unknown url="${ctx.urlOf(page.id)}#${b.id.replace(/-/g, '')}" alt="${b.type}"/>`);
  const markdown = [blocksToMarkdown(blocks.slice(0, cut), ctx), ...tags].filter((part) => part !== '').join('\n\n');
  return { object: 'page_markdown', id: page.id, markdown, truncated: left.length > 0, unknown_block_ids: left.map((b) => b.id) };
}
