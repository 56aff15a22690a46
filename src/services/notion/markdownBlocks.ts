import type { BlockObjectRequest } from '@notionhq/client';
import type { Blockquote, Code, Html, List, ListItem, Paragraph, PhrasingContent, RootContent, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { mathFromMarkdown } from 'mdast-util-math';
import { gfm } from 'micromark-extension-gfm';
import { math } from 'micromark-extension-math';
import type { BlockNode } from './blockTree';
import { notionLanguage } from './codeLanguages';
import {
  chunkItems,
  EQUATION_LIMIT,
  InlineConverter,
  type RichTextItem,
  RICH_TEXT_ITEMS_PER_ARRAY,
  type Run,
  runsText,
  safeImageUrl,
  splitCode,
  textRun,
  toRichText,
  trimRuns,
} from './richText';

/**
 * Visen's converter from the model's GitHub-flavoured markdown to Notion block requests. The model's text is
 * parsed (CommonMark + GFM + math) and every node maps to the nearest native Notion block; nothing the model
 * wrote is dropped: what Notion has no block for (raw HTML, references) stays as literal text.
 */
export function markdownToBlocks(markdown: string): BlockNode[] {
  const source = markdown.replace(/\r\n?/g, '\n');
  return new BlockConverter(source).flow(parseMarkdown(source).children);
}

/** How many blocks the markdown adds at the top of a page (what nests inside them is theirs). */
export function countTopLevelBlocks(markdown: string): number {
  return markdownToBlocks(markdown).length;
}

/** The one markdown grammar Visen reads model output with (CommonMark + GFM + math): converter and chunker alike. */
export function parseMarkdown(source: string) {
  return fromMarkdown(source, {
    extensions: [gfm(), math({ singleDollarTextMath: false })],
    mdastExtensions: [gfmFromMarkdown(), mathFromMarkdown()],
  });
}

type TextBlockType =
  | 'paragraph'
  | 'heading_1'
  | 'heading_2'
  | 'heading_3'
  | 'heading_4'
  | 'bulleted_list_item'
  | 'numbered_list_item'
  | 'to_do'
  | 'quote'
  | 'callout'
  | 'toggle';

const ALERTS: Record<string, { emoji: string; color: string }> = {
  NOTE: { emoji: 'ℹ️', color: 'blue_background' },
  TIP: { emoji: '💡', color: 'green_background' },
  IMPORTANT: { emoji: '❗', color: 'purple_background' },
  WARNING: { emoji: '⚠️', color: 'yellow_background' },
  CAUTION: { emoji: '🛑', color: 'red_background' },
};
const ALERT_MARKER = /^\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|$)/i;
const DETAILS_OPEN = /^\s*<details(?=[\s>])/i;

function node(block: unknown, children: readonly BlockNode[] = []): BlockNode {
  return { block: block as BlockObjectRequest, children };
}

class BlockConverter {
  private readonly inline: InlineConverter;

  constructor(private readonly source: string) {
    this.inline = new InlineConverter(source);
  }

  flow(nodes: readonly RootContent[]): BlockNode[] {
    const out: BlockNode[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const current = nodes[i];
      if (current.type === 'html' && DETAILS_OPEN.test(current.value)) {
        const group = this.details(nodes, i);
        if (group) {
          out.push(...group.blocks);
          i = group.last;
          continue;
        }
      }
      out.push(...this.block(current));
    }
    return out;
  }

  private block(current: RootContent): BlockNode[] {
    switch (current.type) {
      case 'paragraph':
        return this.paragraph(current);
      case 'heading': {
        const level = Math.min(current.depth, 4);
        return this.textBlocks(`heading_${level}` as TextBlockType, this.inline.runs(current.children));
      }
      case 'thematicBreak':
        return [node({ type: 'divider', divider: {} })];
      case 'code':
        return this.code(current);
      case 'math':
        return [this.equation(current.value)];
      case 'blockquote':
        return this.quote(current);
      case 'list':
        return this.list(current);
      case 'table':
        return [this.table(current)];
      case 'html':
        return this.textBlocks('paragraph', [textRun(current.value)]);
      case 'footnoteDefinition': {
        const [first, ...rest] = current.children;
        const label = textRun(`[^${current.label ?? current.identifier}]: `);
        const runs = first?.type === 'paragraph' ? this.inline.runs(first.children) : [];
        const children = this.flow(first?.type === 'paragraph' ? rest : current.children);
        return this.textBlocks('paragraph', [label, ...runs], {}, children);
      }
      default:
        // Link definitions and anything else Notion has no block for: the model's text as it is.
        return this.textBlocks('paragraph', [textRun(this.inline.raw(current).trim())]);
    }
  }

  /**
   * A block of a text type. Rich text beyond 100 items continues in further blocks of the same type, so no
   * text is lost; children go under the last of them.
   */
  private textBlocks(type: TextBlockType, runs: readonly Run[], extra: object = {}, children: readonly BlockNode[] = []): BlockNode[] {
    const chunks = chunkItems(toRichText(trimRuns(runs)));
    return chunks.map((rich_text, i) => node({ type, [type]: { rich_text, ...extra } }, i === chunks.length - 1 ? children : []));
  }

  private equation(expression: string): BlockNode {
    const trimmed = expression.trim();
    if (trimmed.length <= EQUATION_LIMIT) return node({ type: 'equation', equation: { expression: trimmed } });
    return this.codeBlock(trimmed, 'latex')[0];
  }

  private code(current: Code): BlockNode[] {
    return this.codeBlock(current.value, notionLanguage(current.lang));
  }

  private codeBlock(value: string, language: string): BlockNode[] {
    const items: RichTextItem[] = splitCode(value).map((content) => ({ type: 'text', text: { content } }));
    return chunkItems(items).map((rich_text) => node({ type: 'code', code: { rich_text, language } }));
  }

  /** A paragraph: an equation when it is only display math, else text with image blocks cut out of it. */
  private paragraph(current: Paragraph): BlockNode[] {
    const { runs, after } = this.splitParagraph(current);
    const lead = trimRuns(runs).length > 0 || after.length === 0 ? this.textBlocks('paragraph', runs) : [];
    return [...lead, ...after];
  }

  /** A paragraph's text up to its first block (an image, display math), and the blocks from there on. */
  private splitParagraph(current: Paragraph): { runs: Run[]; after: BlockNode[] } {
    const raw = this.inline.raw(current).trim();
    const bracketed = /^\\\[([\s\S]*)\\\]$/.exec(raw);
    if (bracketed && bracketed[1].trim()) return { runs: [], after: [this.equation(bracketed[1])] };
    const content = current.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
    if (content.length === 1 && content[0].type === 'inlineMath') return { runs: [], after: [this.equation(content[0].value)] };
    let runs: Run[] | undefined;
    const after: BlockNode[] = [];
    let pending: PhrasingContent[] = [];
    const flush = () => {
      const text = this.inline.runs(pending);
      if (runs === undefined) runs = text;
      else if (trimRuns(text).length > 0) after.push(...this.textBlocks('paragraph', text));
      pending = [];
    };
    for (const child of current.children) {
      const url = child.type === 'image' ? safeImageUrl(child.url) : undefined;
      if (child.type !== 'image' || !url) {
        pending.push(child);
        continue;
      }
      flush();
      const caption = child.alt ? toRichText([textRun(child.alt)]) : [];
      after.push(node({ type: 'image', image: { type: 'external', external: { url }, caption } }));
    }
    flush();
    return { runs: runs ?? [], after };
  }

  /** Whether a paragraph's text can join a quote's rich text (it holds no block of its own). */
  private isPlain(child: RootContent): child is Paragraph {
    return child.type === 'paragraph' && this.splitParagraph(child).after.length === 0;
  }

  /** Leading plain paragraphs joined by blank lines as the block's text; the rest become its children. */
  private textAndChildren(children: readonly RootContent[]): { runs: Run[]; rest: RootContent[] } {
    const runs: Run[] = [];
    let i = 0;
    for (; i < children.length; i++) {
      const child = children[i];
      if (!this.isPlain(child)) break;
      if (runs.length > 0) runs.push(textRun('\n\n'));
      runs.push(...trimRuns(this.inline.runs(child.children)));
    }
    return { runs, rest: children.slice(i) };
  }

  private quote(current: Blockquote): BlockNode[] {
    const first = current.children[0];
    const marker = first?.type === 'paragraph' && first.children[0]?.type === 'text' ? ALERT_MARKER.exec(first.children[0].value) : null;
    if (!marker || first.type !== 'paragraph') {
      const { runs, rest } = this.textAndChildren(current.children);
      return this.textBlocks('quote', runs, {}, this.flow(rest));
    }
    const alert = ALERTS[marker[1].toUpperCase()];
    const [head, ...tail] = first.children;
    const remainder = { ...(head as { value: string }), value: (head as { value: string }).value.slice(marker[0].length) };
    const firstRest: Paragraph = { ...first, children: [remainder as PhrasingContent, ...tail] };
    const emptyFirst = trimRuns(this.inline.runs(firstRest.children)).length === 0;
    const { runs, rest } = this.textAndChildren(emptyFirst ? current.children.slice(1) : [firstRest, ...current.children.slice(1)]);
    const extra = { icon: { type: 'emoji', emoji: alert.emoji }, color: alert.color };
    return this.textBlocks('callout', runs, extra, this.flow(rest));
  }

  private list(current: List): BlockNode[] {
    return current.children.flatMap((item) => this.listItem(item, current.ordered === true));
  }

  private listItem(item: ListItem, ordered: boolean): BlockNode[] {
    const [first, ...rest] = item.children;
    const lead = first?.type === 'paragraph' ? this.splitParagraph(first) : { runs: [], after: [] };
    const children = [...lead.after, ...this.flow(first?.type === 'paragraph' ? rest : item.children)];
    if (typeof item.checked === 'boolean') return this.textBlocks('to_do', lead.runs, { checked: item.checked }, children);
    return this.textBlocks(ordered ? 'numbered_list_item' : 'bulleted_list_item', lead.runs, {}, children);
  }

  private table(current: Table): BlockNode {
    const width = Math.max(1, current.children[0]?.children.length ?? 1);
    const rows = current.children.map((row) => {
      const cells = Array.from({ length: width }, (_, i) => {
        const cell = row.children[i];
        const runs = cell ? trimRuns(this.inline.runs(cell.children)) : [];
        const items = toRichText(runs);
        // A cell has one rich text array: past 100 items its text is kept, plain, rather than cut off.
        return items.length <= RICH_TEXT_ITEMS_PER_ARRAY ? items : toRichText([textRun(runsText(runs))]);
      });
      return node({ type: 'table_row', table_row: { cells } });
    });
    return node({ type: 'table', table: { table_width: width, has_column_header: true, has_row_header: false } }, rows);
  }

  /**
   * `<details><summary>Title</summary> … </details>` as a toggle. The parser gives raw HTML nodes for the
   * tags around ordinary nodes, so the group runs from the opening node to the node that closes it, and the
   * content between the tags is converted from the model's text.
   */
  private details(nodes: readonly RootContent[], start: number): { blocks: BlockNode[]; last: number } | undefined {
    let depth = 0;
    for (let i = start; i < nodes.length; i++) {
      const current = nodes[i];
      if (current.type !== 'html') continue;
      depth += countTags(current, /<details(?=[\s>])/gi) - countTags(current, /<\/details\s*>/gi);
      if (depth > 0) continue;
      const raw = this.source.slice(nodes[start].position!.start.offset!, current.position!.end.offset!);
      const open = /<details[^>]*>/i.exec(raw)!;
      let bodyStart = open.index + open[0].length;
      const summary = /^\s*<summary[^>]*>([\s\S]*?)<\/summary\s*>/i.exec(raw.slice(bodyStart));
      if (summary) bodyStart += summary[0].length;
      const close = raw.search(/<\/details\s*>(?![\s\S]*<\/details\s*>)/i);
      const closeTag = /<\/details\s*>/i.exec(raw.slice(close))!;
      const title = summary ? this.summaryRuns(summary[1]) : [textRun('Details')];
      const children = markdownToBlocks(raw.slice(bodyStart, close));
      const after = markdownToBlocks(raw.slice(close + closeTag[0].length));
      return { blocks: [...this.textBlocks('toggle', title, {}, children), ...after], last: i };
    }
    return undefined;
  }

  private summaryRuns(summary: string): Run[] {
    const text = summary.trim();
    const tree = parseMarkdown(text);
    const only = tree.children[0];
    if (tree.children.length === 1 && only.type === 'paragraph') return new InlineConverter(text).runs(only.children);
    return [textRun(text)];
  }
}

function countTags(html: Html, pattern: RegExp): number {
  return html.value.match(pattern)?.length ?? 0;
}
