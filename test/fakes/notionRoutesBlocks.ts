// Block routes of the Notion stand-in: retrieve, update, delete (to the trash), list and append children.
//
// Trash (reference/delete-a-block): "Sets a Block object … to in_trash: true … this moves the block to the
// 'Trash' where it can still be accessed and restored. To restore the block with the API, use the Update a block"
// endpoint, i.e. PATCH /v1/blocks/:id {"in_trash": false} (reference/update-a-block: `in_trash` — "Set to true to
// trash (delete) a block. Set to false to restore a block"; `archived` is its pre-2026-03-11 name, removed in
// 2026-03-11 per the upgrade guide). A trashed block keeps its place among its siblings and comes back there with
// the same id and children; while trashed it is left out of children lists and markdown reads, GET of it answers
// `in_trash: true`, and edits, appends and a second delete get Notion's archived error (400 validation_error).
import type { BlockObjectResponse, ListBlockChildrenResponse } from '@notionhq/client';
import {
  type BlockParent,
  type StoredBlock,
  ValidationError,
  blockResponse,
  blocksFromRequest,
  checkPayloadSize,
  checkPosition,
  isLanguage,
  LANGUAGES,
  richBlock,
  richTextFromRequest,
  schemaError,
} from './notionContent';
import { insertChildren, invalidate } from './notionMarkdownEdit';
import { checkParentTakesChildren } from './notionValidation';
import {
  ARCHIVED,
  type Store,
  blockParentFor,
  childPageBlock,
  idParam,
  invalid,
  liveBlocks,
  locateBlock,
  notFound,
  paginate,
  touch,
  trashed,
  visiblePage,
} from './notionStore';
import { type Route, body, notionVersion } from './notionRoutes';

/** Applies an Update-a-block payload (`{ [type]: {...} }`) to a stored block, validated like an append. */
function updateData(block: StoredBlock, payload: Record<string, any>): void {
  const at = `body.${block.type}`;
  const data = { ...block.data };
  if (payload.rich_text !== undefined) data.rich_text = richTextFromRequest(payload.rich_text, `${at}.rich_text`);
  if (payload.caption !== undefined) data.caption = richTextFromRequest(payload.caption, `${at}.caption`);
  if (payload.color !== undefined) data.color = payload.color;
  if (payload.checked !== undefined) data.checked = !!payload.checked;
  if (payload.is_toggleable !== undefined) data.is_toggleable = !!payload.is_toggleable;
  if (payload.language !== undefined) {
    if (!isLanguage(payload.language)) {
      throw schemaError(
        `${at}.language`,
        `should be ${LANGUAGES.map((l) => `\`"${l}"\``).join(', ')}, instead was \`${JSON.stringify(payload.language)}\`.`,
      );
    }
    data.language = payload.language;
  }
  if (payload.expression !== undefined) {
    const [checked] = blocksFromRequest([{ equation: { expression: payload.expression } }], 'body', block.type, 2);
    data.expression = checked.data.expression;
  }
  if (payload.cells !== undefined) {
    if (!Array.isArray(payload.cells))
      throw schemaError(`${at}.cells`, `should be an array, instead was \`${JSON.stringify(payload.cells)}\`.`);
    data.cells = payload.cells.map((c: unknown, j: number) => richTextFromRequest(c, `${at}.cells[${j}]`));
  }
  block.data = Array.isArray(data.rich_text) ? { ...data, ...richBlock(block.type, data.rich_text as never, data) } : data;
}

export const blockRoutes = (s: Store): Route[] => {
  function trash(id: string): BlockObjectResponse {
    const page = s.pages.get(id);
    if (visiblePage(page)) {
      if (page.inTrash) throw invalid(ARCHIVED);
      page.inTrash = true;
      touch(s, page);
      return childPageBlock(page, true);
    }
    const found = locateBlock(s, id);
    if (!found) throw notFound('block', id);
    // Deleting what is already in the trash is an edit of an archived block for Notion.
    if (trashed(found)) throw invalid(ARCHIVED);
    found.block.inTrash = true;
    invalidate(found.chain, found.block);
    touch(s, found.page);
    return blockResponse(found.block, blockParentFor(found.page, found.chain));
  }

  return [
    {
      method: 'GET',
      pattern: /^\/v1\/blocks\/([^/]+)$/,
      run: (m) => {
        const id = idParam(m[1], 'block_id');
        const page = s.pages.get(id);
        if (visiblePage(page)) return childPageBlock(page);
        const found = locateBlock(s, id);
        if (!found) throw notFound('block', id);
        return blockResponse(found.block, blockParentFor(found.page, found.chain), trashed(found));
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/v1\/blocks\/([^/]+)$/,
      run: (m, req) => {
        const id = idParam(m[1], 'block_id');
        const b = body(req);
        if (b.archived !== undefined && notionVersion(req) >= '2026-03-11') {
          throw schemaError('body.archived', `should be not present, instead was \`${JSON.stringify(b.archived)}\`.`);
        }
        const inTrash = b.in_trash ?? b.archived;
        if (inTrash === true) return trash(id);
        const found = locateBlock(s, id);
        if (!found) {
          const page = s.pages.get(id);
          if (visiblePage(page) && inTrash === false) {
            page.inTrash = false;
            touch(s, page);
            return childPageBlock(page);
          }
          throw notFound('block', id);
        }
        if (inTrash === false && found.block.inTrash) {
          if (found.page.inTrash || found.chain.some((x) => x.inTrash)) throw invalid(ARCHIVED);
          found.block.inTrash = false; // same place, same id, same children
          invalidate(found.chain, found.block);
          touch(s, found.page);
        }
        const payload = b[found.block.type];
        if (payload && typeof payload === 'object') {
          if (trashed(found)) throw invalid(ARCHIVED);
          updateData(found.block, payload);
          invalidate(found.chain, found.block);
          touch(s, found.page);
        }
        return blockResponse(found.block, blockParentFor(found.page, found.chain));
      },
    },
    { method: 'DELETE', pattern: /^\/v1\/blocks\/([^/]+)$/, run: (m) => trash(idParam(m[1], 'block_id')) },
    {
      method: 'GET',
      pattern: /^\/v1\/blocks\/([^/]+)\/children$/,
      run: (m, req): ListBlockChildrenResponse => {
        const id = idParam(m[1], 'block_id');
        const page = s.pages.get(id);
        let list: StoredBlock[];
        let parent: BlockParent;
        if (visiblePage(page)) {
          list = liveBlocks(s, page.blocks);
          parent = { type: 'page_id', page_id: page.id };
        } else {
          const found = locateBlock(s, id);
          if (!found) throw notFound('block', id);
          list = liveBlocks(s, found.block.children);
          parent = { type: 'block_id', block_id: found.block.id };
        }
        // Only the page of results asked for becomes responses: a page of 25,000 blocks is read 100 at a time.
        const pageOf = paginate(list, req.query.start_cursor, req.query.page_size, 'query');
        return { object: 'list', type: 'block', block: {}, ...pageOf, results: pageOf.results.map((x) => blockResponse(x, parent)) };
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/v1\/blocks\/([^/]+)\/children$/,
      run: (m, req): ListBlockChildrenResponse => {
        const id = idParam(m[1], 'block_id');
        const b = body(req);
        checkPayloadSize(b);
        checkPosition(b, notionVersion(req));
        if (b.children === undefined) throw invalid('body failed validation: body.children should be defined, instead was `undefined`.');
        const page = s.pages.get(id);
        const found = visiblePage(page) ? undefined : locateBlock(s, id);
        if (!visiblePage(page) && !found) throw notFound('block', id);
        const blocks = blocksFromRequest(b.children, 'body.children', found ? found.block.type : 'page');
        let parent: BlockParent;
        if (visiblePage(page)) {
          if (page.inTrash) throw invalid(ARCHIVED);
          insertChildren(page.blocks, blocks, b.position, b.after);
          touch(s, page);
          parent = { type: 'page_id', page_id: page.id };
        } else {
          if (trashed(found!)) throw invalid(ARCHIVED);
          checkParentTakesChildren(found!.block);
          if (found!.block.type === 'table' && blocks.some((x) => x.type !== 'table_row'))
            throw new ValidationError('Only table_row blocks can be children of a table block.');
          insertChildren(found!.block.children, blocks, b.position, b.after);
          invalidate(found!.chain, found!.block);
          touch(s, found!.page);
          parent = { type: 'block_id', block_id: found!.block.id };
        }
        return {
          object: 'list',
          type: 'block',
          block: {},
          results: blocks.map((x) => blockResponse(x, parent)),
          next_cursor: null,
          has_more: false,
        };
      },
    },
  ];
};
