// Stored blocks -> Notion-flavored Markdown, as GET /v1/pages/:id/markdown returns it: the same flavour the
// parser reads (developers.notion.com/guides/data-apis/enhanced-markdown): text escaped, children indented with
// tabs, colours as a trailing {color="…"}, containers as tags, blocks the format cannot express as <unknown/>.
// Trashed blocks are not rendered.
import type { RichTextItemResponse } from '@notionhq/client';
import { escapeText, richTextToMarkdown } from './notionMarkdownInline';
import { type StoredBlock, liveChildren, plainText } from './notionModel';

export interface RenderContext {
  /** URL of a child page/database, for `<page url>` tags. */
  urlOf(id: string): string;
}

const LIST_MARKER = /^(bulleted_list_item|numbered_list_item|to_do)$/;

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line ? `\t${line}` : line))
    .join('\n');

const attrList = (block: StoredBlock, extra = ''): string => {
  const color = block.data.color && block.data.color !== 'default' ? ` color="${String(block.data.color)}"` : '';
  const all = `${extra}${color}`.trim();
  return all ? ` {${all}}` : '';
};

function renderBlock(block: StoredBlock, ordinal: number, ctx: RenderContext): string {
  const text = richTextToMarkdown((block.data.rich_text as RichTextItemResponse[] | undefined) ?? []);
  const kids = liveChildren(block.children);
  const children = kids.length ? `\n${indent(blocksToMarkdown(kids, ctx))}` : '';
  switch (block.type) {
    case 'paragraph': {
      if (!text && !children) return '<empty-block/>';
      // A paragraph whose text would read as another block's marker keeps that character escaped.
      const safe = /^(#{1,6}\s|[-+*](\s|$)|\d+[.)](\s|$)|---|:::)/.test(text) ? `\\${text}` : text;
      return safe + attrList(block) + children;
    }
    case 'heading_1':
    case 'heading_2':
    case 'heading_3':
    case 'heading_4': {
      const toggle = block.data.is_toggleable === true;
      return `${'#'.repeat(Number(block.type.slice(-1)))} ${text}${attrList(block, toggle ? 'toggle="true"' : '')}${toggle ? children : ''}`;
    }
    case 'bulleted_list_item':
      return `- ${text}${attrList(block)}${children}`;
    case 'numbered_list_item':
      return `${ordinal}. ${text}${attrList(block)}${children}`;
    case 'to_do':
      return `- [${block.data.checked ? 'x' : ' '}] ${text}${attrList(block)}${children}`;
    case 'quote':
      return `> ${text}${attrList(block)}${children}`;
    case 'code': {
      const body = plainText(block.data.rich_text);
      const fence = body.includes('```') ? '````' : '```';
      const lang = block.data.language === 'plain text' ? '' : String(block.data.language ?? '');
      return `${fence}${lang}\n${body}\n${fence}`;
    }
    case 'equation':
      return `$$\n${String(block.data.expression ?? '')}\n$$`;
    case 'divider':
      return '---';
    case 'toggle': {
      const color = block.data.color && block.data.color !== 'default' ? ` color="${String(block.data.color)}"` : '';
      return [
        `<details${color}>`,
        `<summary>${text}</summary>`,
        ...(kids.length ? [indent(blocksToMarkdown(kids, ctx))] : []),
        '</details>',
      ].join('\n');
    }
    case 'callout': {
      const icon = (block.data.icon as { emoji?: string } | null)?.emoji;
      const attrs = `${icon ? ` icon="${icon}"` : ''}${block.data.color && block.data.color !== 'default' ? ` color="${String(block.data.color)}"` : ''}`;
      return [`<callout${attrs}>`, `\t${text}`, ...(kids.length ? [indent(blocksToMarkdown(kids, ctx))] : []), '</callout>'].join('\n');
    }
    case 'table': {
      const head = `<table header-row="${block.data.has_column_header === true}" header-column="${block.data.has_row_header === true}">`;
      const rows = kids.map((r) => {
        const cells = ((r.data.cells as RichTextItemResponse[][] | undefined) ?? []).map((c) => `\t\t<td>${richTextToMarkdown(c)}</td>`);
        return ['\t<tr>', ...cells, '\t</tr>'].join('\n');
      });
      return [head, ...rows, '</table>'].join('\n');
    }
    case 'column_list':
      return [
        '<columns>',
        ...kids.map((col) => ['\t<column>', indent(indent(blocksToMarkdown(liveChildren(col.children), ctx))), '\t</column>'].join('\n')),
        '</columns>',
      ].join('\n');
    case 'image': {
      const url = (block.data.external as { url?: string } | undefined)?.url;
      if (url) return `![${richTextToMarkdown((block.data.caption as RichTextItemResponse[]) ?? [])}](${url})`;
      break;
    }
    case 'table_of_contents':
      return '<table_of_contents/>';
    case 'child_page':
      return `<page url="${ctx.urlOf(block.id)}">${escapeText(String(block.data.title ?? ''))}</page>`;
    case 'child_database':
      return `<database url="${ctx.urlOf(block.id)}">${escapeText(String(block.data.title ?? ''))}</database>`;
  }
  // reference/retrieve-page-markdown: blocks the format cannot express (bookmark, embed, …) come back as <unknown>.
  return `<unknown url="${ctx.urlOf(block.id)}#${block.id.replace(/-/g, '')}" alt="${block.type}"/>`;
}

/** Each live block's own markdown, numbering consecutive numbered-list items. */
export function renderEachBlock(blocks: StoredBlock[], ctx: RenderContext): string[] {
  const live = liveChildren(blocks);
  let ordinal = 0;
  return live.map((block, i) => {
    ordinal = block.type === 'numbered_list_item' && live[i - 1]?.type === 'numbered_list_item' ? ordinal + 1 : 1;
    return renderBlock(block, ordinal, ctx);
  });
}

/** Blocks are separated by blank lines, except consecutive items of one list. */
export function blocksToMarkdown(blocks: StoredBlock[], ctx: RenderContext): string {
  const live = liveChildren(blocks);
  const rendered = renderEachBlock(live, ctx);
  return rendered.reduce((out, text, i) => {
    if (i === 0) return text;
    const [prev, block] = [live[i - 1], live[i]];
    const sameList =
      LIST_MARKER.test(block.type) &&
      LIST_MARKER.test(prev.type) &&
      (block.type === 'numbered_list_item') === (prev.type === 'numbered_list_item');
    return out + (sameList ? '\n' : '\n\n') + text;
  }, '');
}
