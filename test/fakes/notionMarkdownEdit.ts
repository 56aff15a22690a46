// PATCH /v1/pages/:id/markdown of the Notion stand-in: insert, replace, range and search-and-replace edits of a
// page's Notion-flavored Markdown (reference/update-page-markdown), keeping the ids of blocks that did not change.
import { randomUUID } from 'node:crypto';
import { type StoredBlock, actor, minuteNow } from './notionContent';
import { type MarkdownVersion, markdownToBlocks, renderEachBlock, textItem } from './notionContent';
import {
  ARCHIVED,
  type FakePage,
  type Store,
  invalid,
  markdownVersion,
  normalizeId,
  liveBlocks,
  markdownOf,
  renderCtx,
  touch,
  visibleDb,
  visiblePage,
} from './notionStore';

/** Finds a `start...end` selection (or an exact string) in the page markdown, as the markdown endpoint does. */
function findSelection(markdown: string, selection: string): { start: number; end: number } | undefined {
  const dots = selection.indexOf('...');
  if (dots < 0) {
    const at = markdown.indexOf(selection);
    return at < 0 ? undefined : { start: at, end: at + selection.length };
  }
  const head = selection.slice(0, dots);
  const tail = selection.slice(dots + 3);
  const start = markdown.indexOf(head);
  if (start < 0) return undefined;
  const tailAt = markdown.indexOf(tail, start + head.length);
  return tailAt < 0 ? undefined : { start, end: tailAt + tail.length };
}

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** Joins two markdown fragments as separate blocks. */
function joinBlocks(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter(Boolean)
    .join('\n\n');
}
// ---- content edits -----------------------------------------------------------------------------------------

/**
 * Replaces a page's content with parsed markdown, keeping the ids (and so comments) of blocks whose markdown did
 * not change, keeping trashed blocks where they were, and refusing (unless allowed) to drop child pages/databases.
 */
function replaceContent(s: Store, page: FakePage, markdown: string, allowDeleting: boolean, version: MarkdownVersion = 'v1'): void {
  const ctx = renderCtx(s);
  const old = liveBlocks(s, page.blocks);
  const oldRendered = renderEachBlock(old, ctx);
  const parsed = markdownToBlocks(markdown, version).map((block) => {
    const known =
      block.type === 'child_page'
        ? visiblePage(s.pages.get(block.id))
        : block.type === 'child_database'
          ? visibleDb(s.databases.get(block.id))
          : true;
    return known
      ? block
      : {
          ...block,
          type: 'paragraph',
          id: randomUUID(),
          data: { rich_text: [textItem(String(block.data.title ?? ''))], color: 'default', icon: null },
        };
  });
  const parsedRendered = renderEachBlock(parsed, ctx);
  let cursor = 0;
  const next = parsed.map((block, j) => {
    const k = old.findIndex(
      (o, i) => i >= cursor && (block.type.startsWith('child_') ? o.id === block.id : oldRendered[i] === parsedRendered[j]),
    );
    if (k < 0) return block;
    cursor = k + 1;
    return old[k];
  });
  const kept = new Set(next.map((b) => b.id));
  const dropped = old.filter((b) => (b.type === 'child_page' || b.type === 'child_database') && !kept.has(b.id));
  if (dropped.length && !allowDeleting) {
    throw invalid(
      `This edit would delete ${dropped.length} child page(s) or database(s) (${dropped.map((b) => b.id).join(', ')}). Set allow_deleting_content to true to allow this.`,
    );
  }
  for (const b of dropped) {
    const child = s.pages.get(b.id) ?? s.databases.get(b.id);
    if (child) child.inTrash = true;
  }
  // Trashed blocks stay in the list (restorable), after the live block they followed when it is still there.
  const result = [...next];
  page.blocks.forEach((b, i) => {
    if (!b.inTrash) return;
    const before = page.blocks
      .slice(0, i)
      .reverse()
      .find((x) => !x.inTrash);
    const at = before ? result.indexOf(before) : -1;
    result.splice(at + 1, 0, b);
  });
  page.blocks = result;
  touch(s, page);
}

export function editMarkdown(s: Store, page: FakePage, body: Record<string, any>, notionVersion = ''): void {
  if (page.inTrash) throw invalid(ARCHIVED);
  const type = body.type;
  const kinds = ['insert_content', 'replace_content', 'replace_content_range', 'update_content'];
  if (!kinds.includes(type)) {
    throw invalid(
      `body failed validation: body.type should be one of ${kinds.map((k) => `"${k}"`).join(', ')}, instead was \`${JSON.stringify(type)}\`.`,
    );
  }
  const args = body[type];
  if (!args || typeof args !== 'object')
    throw invalid(`body failed validation: body.${type} should be defined, instead was \`undefined\`.`);
  const version = markdownVersion(body.markdown_version, 'body.markdown_version', notionVersion);
  // "`replace_content_range` returns an error" under 2026-12-01 (Upgrade guide 2026-12-01: use `update_content`).
  if (type === 'replace_content_range' && notionVersion >= '2026-12-01')
    throw invalid('replace_content_range is not available from Notion-Version 2026-12-01. Use update_content.');
  const current = markdownOf(s, page);
  const allowDeleting = args.allow_deleting_content === true;
  const requireString = (field: string) => {
    if (typeof args[field] !== 'string')
      throw invalid(`body failed validation: body.${type}.${field} should be a string, instead was \`${JSON.stringify(args[field])}\`.`);
    return args[field] as string;
  };
  switch (type) {
    case 'insert_content': {
      const content = requireString('content');
      if (args.after !== undefined && args.position !== undefined)
        throw invalid('Cannot specify both `after` and `position` in insert_content.');
      let next: string;
      if (typeof args.after === 'string') {
        const range = findSelection(current, args.after);
        if (!range) throw invalid(`Could not find the selection to insert after: "${args.after}".`);
        const lineEnd = current.indexOf('\n', range.end);
        const at = lineEnd < 0 ? current.length : lineEnd;
        next = joinBlocks(current.slice(0, at), content, current.slice(at));
      } else if (args.position?.type === 'start') {
        next = joinBlocks(content, current);
      } else {
        next = joinBlocks(current, content);
      }
      replaceContent(s, page, next, true, version);
      return;
    }
    case 'replace_content':
      replaceContent(s, page, requireString('new_str'), allowDeleting, version);
      return;
    case 'replace_content_range': {
      const content = requireString('content');
      const selection = requireString('content_range');
      const range = findSelection(current, selection);
      if (!range) throw invalid(`Could not find the content_range selection in the page: "${selection}".`);
      replaceContent(s, page, current.slice(0, range.start) + content + current.slice(range.end), allowDeleting, version);
      return;
    }
    case 'update_content': {
      if (!Array.isArray(args.content_updates) || !args.content_updates.length) {
        throw invalid('body failed validation: body.update_content.content_updates should be a non-empty array.');
      }
      let next = current;
      args.content_updates.forEach((update: Record<string, unknown>, i: number) => {
        const { old_str: oldStr, new_str: newStr } = update;
        if (typeof oldStr !== 'string' || !oldStr || typeof newStr !== 'string') {
          throw invalid(`body failed validation: body.update_content.content_updates[${i}] needs string old_str and new_str.`);
        }
        const count = countOccurrences(next, oldStr);
        if (count === 0) throw invalid(`content_updates[${i}]: old_str not found in the page content: "${oldStr}".`);
        if (count > 1 && update.replace_all_matches !== true) {
          throw invalid(
            `content_updates[${i}]: old_str matches ${count} locations in the page content. Add more context to make it unique, or set replace_all_matches to true.`,
          );
        }
        next = update.replace_all_matches === true ? next.split(oldStr).join(newStr) : next.replace(oldStr, () => newStr);
      });
      replaceContent(s, page, next, allowDeleting, version);
      return;
    }
  }
}

/** A changed block is edited by `by` now; its ancestors' children changed. */
export function invalidate(chain: StoredBlock[], block?: StoredBlock, by = actor().id) {
  for (const b of [...chain, ...(block ? [block] : [])]) b.lastEditedTime = minuteNow();
  if (block) block.lastEditedBy = by;
}

export function insertChildren(
  siblings: StoredBlock[],
  blocks: StoredBlock[],
  position: Record<string, any> | undefined,
  after: unknown,
): void {
  let index = siblings.length;
  const afterId = position?.type === 'after_block' ? position.after_block?.id : after;
  // "start" puts blocks before everything, trashed blocks included, so a later restore keeps their order.
  if (position?.type === 'start') index = 0;
  else if (afterId !== undefined) {
    const id = normalizeId(String(afterId));
    const at = siblings.findIndex((b) => b.id === id && !b.inTrash);
    if (at < 0) throw invalid(`Could not find block to insert after with ID: ${String(afterId)}.`);
    index = at + 1;
  }
  siblings.splice(index, 0, ...blocks);
}
