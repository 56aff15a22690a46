import * as l10n from '@vscode/l10n';
import type { Client } from '@notionhq/client';
import { withSignal } from './notionClient';
import { NotionError, toNotionError } from './notionErrors';

/** A page's content as Notion renders it in Notion-flavored Markdown: for reading only (context, previews). */
export interface PageMarkdown {
  readonly markdown: string;
  /** Something is still left out after reading the rest: `leftOut` blocks Notion did not give. */
  readonly truncated: boolean;
  readonly leftOut: number;
}

interface PageMarkdownResponse {
  markdown?: string;
  truncated?: boolean;
  unknown_block_ids?: string[];
}

/** Follow-up reads of the blocks a truncated read left out; past this many, the rest is named as left out. */
export const MAX_FOLLOW_UP_READS = 50;

/**
 * Reads a page through Notion's markdown endpoint. Visen never writes model output through the markdown
 * endpoints (they read Notion-flavored Markdown, not the GitHub markdown models write); the block writer
 * does. The installed SDK drops query fields it does not know, such as `markdown_version`, so the request
 * goes through `client.request`, which keeps auth, version and retries.
 *
 * A page past Notion's limit (about 20,000 records) comes back `truncated`, with the blocks it could not load
 * as `<unknown url="…"/>` tags and their ids in `unknown_block_ids`; "you can fetch the content of unloaded
 * blocks by passing their IDs back to this same endpoint as the page_id" (developers.notion.com, "Retrieve a
 * page as markdown", Truncation). Each is read so and put where its tag was; one Visen cannot read (404: not
 * shared) or past MAX_FOLLOW_UP_READS is counted in `leftOut`.
 */
export async function readPageMarkdown(client: Client, pageId: string, signal?: AbortSignal): Promise<PageMarkdown> {
  const read = async (id: string): Promise<PageMarkdownResponse> => {
    try {
      return await withSignal(signal, () =>
        client.request<PageMarkdownResponse>({ path: `pages/${id}/markdown`, method: 'get', query: { markdown_version: 'v2' } }),
      );
    } catch (error) {
      throw toNotionError(error);
    }
  };
  const first = await read(pageId);
  let markdown = first.markdown ?? '';
  const pending = unknownIds(first);
  let reads = 0;
  let leftOut = 0;
  while (pending.length > 0) {
    const id = pending.shift()!;
    if (reads >= MAX_FOLLOW_UP_READS) {
      leftOut += 1 + pending.length;
      break;
    }
    reads++;
    let part: PageMarkdownResponse;
    try {
      part = await read(id);
    } catch (error) {
      if (error instanceof NotionError && error.problem === 'notShared') {
        leftOut++;
        continue;
      }
      throw error;
    }
    markdown = putInPlace(markdown, id, part.markdown ?? '');
    pending.push(...unknownIds(part));
  }
  return { markdown, truncated: leftOut > 0, leftOut };
}

const unknownIds = (response: PageMarkdownResponse): string[] =>
  response.truncated === true && Array.isArray(response.unknown_block_ids) ? [...response.unknown_block_ids] : [];

/** The markdown with the `<unknown …/>` tag of block `id` replaced by `content`; appended when no tag names it. */
function putInPlace(markdown: string, id: string, content: string): string {
  const hex = id.replace(/-/g, '').toLowerCase();
  const tags = /<unknown\b[^>]*\/>/g;
  for (let m = tags.exec(markdown); m; m = tags.exec(markdown)) {
    if (m[0].replace(/-/g, '').toLowerCase().includes(hex))
      return markdown.slice(0, m.index) + content + markdown.slice(m.index + m[0].length);
  }
  return markdown === '' ? content : `${markdown}\n\n${content}`;
}

/** What a reader of the page's markdown is told when Notion did not give all of it. */
export function leftOutNote(page: PageMarkdown): string {
  return page.leftOut === 1
    ? l10n.t(
        '[Notion left out 1 block of this page: the page is longer than Notion returns as markdown, or the block is not shared with Visen.]',
      )
    : l10n.t(
        '[Notion left out {0} blocks of this page: the page is longer than Notion returns as markdown, or the blocks are not shared with Visen.]',
        page.leftOut,
      );
}

/** The page's content as `{{page}}` stands for it: its markdown, with a note when something was left out. */
export function pageContext(page: PageMarkdown): string {
  return page.truncated ? `${page.markdown}\n\n${leftOutNote(page)}` : page.markdown;
}

/** `{{page}}` in a prompt stands for a page's content: the page written to, or in a fill each row's page. */
const PAGE_PLACEHOLDER = /\{\{\s*page\s*\}\}/gi;

export function mentionsPage(prompt: string): boolean {
  PAGE_PLACEHOLDER.lastIndex = 0;
  return PAGE_PLACEHOLDER.test(prompt);
}

/** The prompt with every `{{page}}` replaced by `markdown` (taken as it is: `$` patterns are not read). */
export function fillPage(prompt: string, markdown: string): string {
  return prompt.replace(PAGE_PLACEHOLDER, () => markdown);
}
