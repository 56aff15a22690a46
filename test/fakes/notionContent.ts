// Page content model of the Notion fake: a tree of stored blocks, convertible from/to Notion-flavored markdown
// (parsed with marked's lexer) and from block request JSON, and rendered as the SDK's BlockObjectResponse.
import { randomUUID } from 'node:crypto';
import { marked, type Token, type Tokens } from 'marked';
import type { AnnotationResponse, BlockObjectResponse, CodeBlockObjectResponse, RichTextItemResponse } from '@notionhq/client';

type LanguageRequest = CodeBlockObjectResponse['code']['language'];

export const BOT_USER_ID = '9b1d6e2a-6f1e-4a8e-9d61-1f3c0d7b5e42';

export interface StoredBlock {
  id: string;
  type: string;
  /** The type-named payload exactly as the API returns it (without `children`). */
  data: Record<string, unknown>;
  children: StoredBlock[];
  /** Markdown this block was parsed from, kept so markdown reads return what was written. */
  source?: string;
  createdTime: string;
  lastEditedTime: string;
}

/** Thrown for request bodies Notion would reject with 400 validation_error. */
export class ValidationError extends Error {}

const MAX_TEXT = 2000;
const MAX_ARRAY = 100;

const LANGUAGES: readonly LanguageRequest[] = [
  'abap', 'abc', 'agda', 'arduino', 'ascii art', 'assembly', 'bash', 'basic', 'bnf', 'c', 'c#', 'c++', 'clojure',
  'coffeescript', 'coq', 'css', 'dart', 'dhall', 'diff', 'docker', 'ebnf', 'elixir', 'elm', 'erlang', 'f#', 'flow',
  'fortran', 'gherkin', 'glsl', 'go', 'graphql', 'groovy', 'haskell', 'hcl', 'html', 'idris', 'java', 'javascript',
  'json', 'julia', 'kotlin', 'latex', 'less', 'lisp', 'livescript', 'llvm ir', 'lua', 'makefile', 'markdown', 'markup',
  'matlab', 'mathematica', 'mermaid', 'nix', 'notion formula', 'objective-c', 'ocaml', 'pascal', 'perl', 'php',
  'plain text', 'powershell', 'prolog', 'protobuf', 'purescript', 'python', 'r', 'racket', 'reason', 'ruby', 'rust',
  'sass', 'scala', 'scheme', 'scss', 'shell', 'smalltalk', 'solidity', 'sql', 'swift', 'toml', 'typescript', 'vb.net',
  'verilog', 'vhdl', 'visual basic', 'webassembly', 'xml', 'yaml', 'java/c/c++/c#',
];

const LANGUAGE_ALIASES: Record<string, LanguageRequest> = {
  ts: 'typescript', tsx: 'typescript', js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  py: 'python', sh: 'shell', zsh: 'shell', console: 'shell', yml: 'yaml', md: 'markdown', rb: 'ruby', rs: 'rust',
  cs: 'c#', csharp: 'c#', cpp: 'c++', kt: 'kotlin', jsonc: 'json', golang: 'go', dockerfile: 'docker', ps1: 'powershell',
  text: 'plain text', txt: 'plain text', plaintext: 'plain text', tex: 'latex', proto: 'protobuf',
};

export function notionLanguage(info: string | undefined): LanguageRequest {
  const lang = (info ?? '').trim().split(/\s+/)[0].toLowerCase();
  if (!lang) return 'plain text';
  return LANGUAGE_ALIASES[lang] ?? LANGUAGES.find((l) => l === lang) ?? 'plain text';
}

// ---------------------------------------------------------------------------------------------------------------
// Rich text

type Marks = Pick<AnnotationResponse, 'bold' | 'italic' | 'strikethrough' | 'code'> & { link: string | null };
const NO_MARKS: Marks = { bold: false, italic: false, strikethrough: false, code: false, link: null };

export function textItem(content: string, marks: Partial<Marks> = {}, extra: Partial<AnnotationResponse> = {}): RichTextItemResponse {
  const m = { ...NO_MARKS, ...marks };
  return {
    type: 'text',
    text: { content, link: m.link ? { url: m.link } : null },
    annotations: { bold: m.bold, italic: m.italic, strikethrough: m.strikethrough, underline: false, code: m.code, color: 'default', ...extra },
    plain_text: content,
    href: m.link,
  };
}

function sameFormatting(a: RichTextItemResponse, b: RichTextItemResponse): boolean {
  return a.type === 'text' && b.type === 'text' && a.href === b.href && JSON.stringify(a.annotations) === JSON.stringify(b.annotations);
}

/** Merges adjacent runs with equal formatting, then splits runs over 2000 chars the way Notion does. */
function normalizeRichText(items: RichTextItemResponse[]): RichTextItemResponse[] {
  const merged: RichTextItemResponse[] = [];
  for (const item of items) {
    if (item.type === 'text' && item.text.content === '') continue;
    const last = merged[merged.length - 1];
    if (last && last.type === 'text' && item.type === 'text' && sameFormatting(last, item)) {
      const content = last.text.content + item.text.content;
      merged[merged.length - 1] = { ...last, text: { ...last.text, content }, plain_text: content };
    } else {
      merged.push(item);
    }
  }
  return merged.flatMap((item) => {
    if (item.type !== 'text' || item.text.content.length <= MAX_TEXT) return [item];
    const parts: RichTextItemResponse[] = [];
    for (let i = 0; i < item.text.content.length; i += MAX_TEXT) {
      const content = item.text.content.slice(i, i + MAX_TEXT);
      parts.push({ ...item, text: { ...item.text, content }, plain_text: content });
    }
    return parts;
  });
}

function inlineToRichText(tokens: Token[] | undefined, marks: Marks = NO_MARKS): RichTextItemResponse[] {
  const out: RichTextItemResponse[] = [];
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'strong':
        out.push(...inlineToRichText(token.tokens, { ...marks, bold: true }));
        break;
      case 'em':
        out.push(...inlineToRichText(token.tokens, { ...marks, italic: true }));
        break;
      case 'del':
        out.push(...inlineToRichText(token.tokens, { ...marks, strikethrough: true }));
        break;
      case 'codespan':
        out.push(textItem(token.text, { ...marks, code: true }));
        break;
      case 'link':
        out.push(...inlineToRichText(token.tokens, { ...marks, link: token.href }));
        break;
      case 'image':
        out.push(textItem(token.text || token.href, { ...marks, link: token.href }));
        break;
      case 'br':
        out.push(textItem('\n', marks));
        break;
      case 'checkbox':
        break;
      case 'text':
        if ('tokens' in token && token.tokens?.length) out.push(...inlineToRichText(token.tokens, marks));
        else out.push(textItem(token.text, marks));
        break;
      case 'escape':
        out.push(textItem(token.text, marks));
        break;
      default:
        out.push(textItem('text' in token && typeof token.text === 'string' ? token.text : token.raw, marks));
    }
  }
  return out;
}

export function markdownToRichText(markdown: string): RichTextItemResponse[] {
  return normalizeRichText(inlineToRichText(marked.Lexer.lexInline(markdown)));
}

const plain = (items: unknown): string =>
  Array.isArray(items) ? (items as RichTextItemResponse[]).map((i) => i.plain_text).join('') : '';

function escapeMarkdown(text: string, inTable: boolean): string {
  let out = text.replace(/[\\`*[\]~<]/g, '\\$&').replace(/(^|[^\p{L}\p{N}])_|_(?=$|[^\p{L}\p{N}])/gu, (m) => m.replace('_', '\\_'));
  if (inTable) out = out.replace(/\|/g, '\\|');
  return out;
}

/** Renders rich text back to markdown, nesting marks properly so the output lexes back to the same runs. */
export function richTextToMarkdown(items: RichTextItemResponse[], inTable = false): string {
  type Mark = { key: string; open: string; close: string };
  const marksOf = (item: RichTextItemResponse): Mark[] => {
    const a = item.annotations;
    const marks: Mark[] = [];
    if (item.href) marks.push({ key: `link:${item.href}`, open: '[', close: `](${item.href})` });
    if (a.bold) marks.push({ key: 'bold', open: '**', close: '**' });
    if (a.italic) marks.push({ key: 'italic', open: '*', close: '*' });
    if (a.strikethrough) marks.push({ key: 'strike', open: '~~', close: '~~' });
    return marks;
  };
  let out = '';
  let stack: Mark[] = [];
  let pendingSpace = '';
  for (const item of items) {
    const text = item.type === 'equation' ? `$${item.equation.expression}$` : item.plain_text;
    const wanted = marksOf(item);
    let common = 0;
    while (common < stack.length && common < wanted.length && stack[common].key === wanted[common].key) common++;
    for (const mark of stack.slice(common).reverse()) out += mark.close;
    stack = stack.slice(0, common);
    const [, lead, core, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text) ?? ['', '', text, ''];
    out += pendingSpace + lead;
    for (const mark of wanted.slice(common)) out += mark.open;
    stack = wanted;
    if (item.annotations.code && item.type === 'text') {
      const fence = core.includes('`') ? '``' : '`';
      out += fence + (fence === '``' ? ` ${core} ` : core) + fence;
    } else {
      out += item.type === 'equation' ? text : escapeMarkdown(core, inTable);
    }
    pendingSpace = trail;
  }
  for (const mark of stack.reverse()) out += mark.close;
  return out + pendingSpace;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown -> blocks

function newBlock(type: string, data: Record<string, unknown>, children: StoredBlock[] = [], source?: string): StoredBlock {
  const now = new Date().toISOString();
  return { id: randomUUID(), type, data, children, source, createdTime: now, lastEditedTime: now };
}

const richBlock = (type: string, richText: RichTextItemResponse[], extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const data: Record<string, unknown> = { rich_text: normalizeRichText(richText), color: 'default', ...extra };
  if (type === 'paragraph') data.icon = null;
  if (type.startsWith('heading_')) data.is_toggleable = false;
  return data;
};

const CHILD_TAG = /^<(page|database)\s+url="([^"]*)"\s*>([\s\S]*?)<\/\1>$/;

/** Pulls the 32-hex id out of a notion.so URL (the last one in the path, as Notion puts it after the slug). */
export function idFromNotionUrl(url: string): string | undefined {
  const hex = url.replace(/-/g, '').match(/[0-9a-f]{32}/gi);
  return hex ? formatId(hex[hex.length - 1]) : undefined;
}

export function formatId(hex32: string): string {
  const h = hex32.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function listItemToBlock(item: Tokens.ListItem, ordered: boolean): StoredBlock {
  const inline: RichTextItemResponse[] = [];
  const children: StoredBlock[] = [];
  let first = true;
  for (const token of item.tokens) {
    if (token.type === 'checkbox') continue;
    if (first && (token.type === 'text' || token.type === 'paragraph')) {
      inline.push(...inlineToRichText((token as Tokens.Text).tokens ?? [{ type: 'text', raw: token.raw, text: token.raw } as Token]));
      first = false;
      continue;
    }
    first = false;
    children.push(...tokenToBlocks(token));
  }
  if (item.task) return newBlock('to_do', richBlock('to_do', inline, { checked: !!item.checked }), children);
  const type = ordered ? 'numbered_list_item' : 'bulleted_list_item';
  return newBlock(type, richBlock(type, inline), children);
}

function tokenToBlocks(token: Token): StoredBlock[] {
  const source = token.raw.replace(/\s+$/, '');
  switch (token.type) {
    case 'space':
    case 'def':
      return [];
    case 'heading': {
      const type = `heading_${Math.min(token.depth, 4)}`;
      return [newBlock(type, richBlock(type, inlineToRichText(token.tokens)), [], source)];
    }
    case 'paragraph':
    case 'text':
    case 'html': {
      const tag = CHILD_TAG.exec(source);
      if (tag) {
        const type = tag[1] === 'page' ? 'child_page' : 'child_database';
        const block = newBlock(type, { title: tag[3] }, [], source);
        block.id = idFromNotionUrl(tag[2]) ?? block.id;
        return [block];
      }
      const tokens = 'tokens' in token && token.tokens?.length ? token.tokens : [{ type: 'text', raw: source, text: source } as Token];
      return [newBlock('paragraph', richBlock('paragraph', inlineToRichText(tokens)), [], source)];
    }
    case 'list':
      return (token as Tokens.List).items.map((item) => {
        const block = listItemToBlock(item, (token as Tokens.List).ordered);
        block.source = item.raw.replace(/\s+$/, '');
        return block;
      });
    case 'blockquote': {
      const lines = (token as Tokens.Blockquote).tokens.filter((t) => t.type !== 'space');
      const rich: RichTextItemResponse[] = [];
      lines.forEach((t, i) => {
        if (i > 0) rich.push(textItem('\n'));
        rich.push(...inlineToRichText('tokens' in t && t.tokens?.length ? t.tokens : [{ type: 'text', raw: t.raw, text: t.raw } as Token]));
      });
      return [newBlock('quote', richBlock('quote', rich), [], source)];
    }
    case 'code':
      return [newBlock('code', { caption: [], rich_text: normalizeRichText([textItem(token.text)]), language: notionLanguage(token.lang) }, [], source)];
    case 'hr':
      return [newBlock('divider', {}, [], source)];
    case 'table': {
      const table = token as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => newBlock('table_row', { cells: cells.map((c) => normalizeRichText(inlineToRichText(c.tokens))) });
      const rows = [row(table.header), ...table.rows.map(row)];
      return [newBlock('table', { table_width: table.header.length, has_column_header: true, has_row_header: false }, rows, source)];
    }
    default:
      return [newBlock('paragraph', richBlock('paragraph', [textItem(source)]), [], source)];
  }
}

export function markdownToBlocks(markdown: string): StoredBlock[] {
  return marked.lexer(markdown).flatMap(tokenToBlocks);
}

// ---------------------------------------------------------------------------------------------------------------
// Blocks -> markdown

export interface RenderContext {
  /** URL of a child page/database, for `<page url>` tags. */
  urlOf(id: string): string;
}

const LIST_MARKER = /^(bulleted_list_item|numbered_list_item|to_do)$/;

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `\t${line}` : line))
    .join('\n');
}

function renderChildren(children: StoredBlock[], ctx: RenderContext): string {
  return children.length ? `\n${indent(blocksToMarkdown(children, ctx))}` : '';
}

function renderBlock(block: StoredBlock, ordinal: number, ctx: RenderContext): string {
  const text = richTextToMarkdown((block.data.rich_text as RichTextItemResponse[] | undefined) ?? []);
  const kids = renderChildren(block.children, ctx);
  switch (block.type) {
    case 'paragraph': {
      const safe = /^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s|---)/.test(text) ? `\\${text}` : text;
      return safe + kids;
    }
    case 'heading_1':
    case 'heading_2':
    case 'heading_3':
    case 'heading_4':
      return `${'#'.repeat(Number(block.type.slice(-1)))} ${text}`;
    case 'bulleted_list_item':
      return `- ${text}${kids}`;
    case 'numbered_list_item':
      return `${ordinal}. ${text}${kids}`;
    case 'to_do':
      return `- [${block.data.checked ? 'x' : ' '}] ${text}${kids}`;
    case 'quote':
      return text
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n') + kids;
    case 'code': {
      const body = plain(block.data.rich_text);
      const fence = body.includes('```') ? '````' : '```';
      const lang = block.data.language === 'plain text' ? '' : String(block.data.language ?? '');
      return `${fence}${lang}\n${body}\n${fence}`;
    }
    case 'divider':
      return '---';
    case 'table': {
      const rows = block.children.map((r) => ((r.data.cells as RichTextItemResponse[][] | undefined) ?? []).map((c) => richTextToMarkdown(c, true)));
      const width = Number(block.data.table_width) || rows[0]?.length || 1;
      const line = (cells: string[]) => `| ${Array.from({ length: width }, (_, i) => cells[i] ?? '').join(' | ')} |`;
      const [header = [], ...body] = rows;
      return [line(header), line(Array.from({ length: width }, () => '---')), ...body.map(line)].join('\n');
    }
    case 'child_page':
      return `<page url="${ctx.urlOf(block.id)}">${String(block.data.title ?? '')}</page>`;
    case 'child_database':
      return `<database url="${ctx.urlOf(block.id)}">${String(block.data.title ?? '')}</database>`;
    default:
      return text ? text + kids : `<unknown url="${ctx.urlOf(block.id)}#${block.id.replace(/-/g, '')}" alt="${block.type}"/>`;
  }
}

/** Each block's own markdown, numbering consecutive numbered-list items. */
export function renderEachBlock(blocks: StoredBlock[], ctx: RenderContext): string[] {
  let ordinal = 0;
  return blocks.map((block, i) => {
    ordinal = block.type === 'numbered_list_item' && blocks[i - 1]?.type === 'numbered_list_item' ? ordinal + 1 : 1;
    return block.source ?? renderBlock(block, ordinal, ctx);
  });
}

/** Blocks are separated by blank lines, except consecutive items of one list. */
export function blocksToMarkdown(blocks: StoredBlock[], ctx: RenderContext): string {
  const rendered = renderEachBlock(blocks, ctx);
  return rendered.reduce((out, text, i) => {
    if (i === 0) return text;
    const [prev, block] = [blocks[i - 1], blocks[i]];
    const sameList = LIST_MARKER.test(block.type) && LIST_MARKER.test(prev.type) && (block.type === 'numbered_list_item') === (prev.type === 'numbered_list_item');
    return out + (sameList ? '\n' : '\n\n') + text;
  }, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Block request JSON -> blocks (blocks.children.append, pages.create children)

const KNOWN_TYPES = [
  'paragraph', 'heading_1', 'heading_2', 'heading_3', 'heading_4', 'bulleted_list_item', 'numbered_list_item', 'to_do',
  'toggle', 'quote', 'callout', 'code', 'divider', 'table', 'table_row', 'equation', 'bookmark', 'embed', 'image',
  'video', 'pdf', 'file', 'audio', 'table_of_contents', 'breadcrumb', 'column_list', 'column', 'link_to_page', 'synced_block',
];

const quoteValue = (value: unknown): string => {
  const json = JSON.stringify(value) ?? 'undefined';
  return json.length > 100 ? `${json.slice(0, 97)}...` : json;
};

/** Notion's schema-validation wording: "body failed validation: body.x should be …, instead was `…`." */
export function schemaError(path: string, expectation: string): ValidationError {
  return new ValidationError(`${path.split(/[.[]/)[0]} failed validation: ${path} ${expectation}`);
}

function checkMax(path: string, actual: number, max: number): void {
  if (actual > max) throw schemaError(path, `should be ≤ \`${max}\`, instead was \`${actual}\`.`);
}

export function richTextFromRequest(value: unknown, path: string): RichTextItemResponse[] {
  if (!Array.isArray(value)) throw schemaError(path, `should be an array, instead was \`${quoteValue(value)}\`.`);
  checkMax(`${path}.length`, value.length, MAX_ARRAY);
  return value.map((raw: Record<string, any>, i) => {
    const at = `${path}[${i}]`;
    const annotations = { ...(raw.annotations ?? {}) } as Partial<AnnotationResponse>;
    if (raw.type === 'equation' || raw.equation) {
      const expression = String(raw.equation?.expression ?? '');
      checkMax(`${at}.equation.expression.length`, expression.length, 1000);
      const base = textItem(expression, {}, annotations);
      return { type: 'equation', equation: { expression }, annotations: base.annotations, plain_text: expression, href: null };
    }
    if (raw.type === 'mention' || raw.mention) return textItem(String(raw.plain_text ?? ''), {}, annotations);
    if (!raw.text || typeof raw.text.content !== 'string') {
      throw schemaError(`${at}.text`, 'should be defined, instead was `undefined`.');
    }
    checkMax(`${at}.text.content.length`, raw.text.content.length, MAX_TEXT);
    const url: string | null = raw.text.link?.url ?? null;
    if (url) checkMax(`${at}.text.link.url.length`, url.length, MAX_TEXT);
    return textItem(raw.text.content, { link: url }, annotations);
  });
}

export function blocksFromRequest(children: unknown, path: string, depth = 1): StoredBlock[] {
  if (!Array.isArray(children)) throw schemaError(path, `should be an array, instead was \`${quoteValue(children)}\`.`);
  checkMax(`${path}.length`, children.length, MAX_ARRAY);
  return children.map((raw: Record<string, any>, i) => {
    const at = `${path}[${i}]`;
    const type: string | undefined = raw?.type ?? KNOWN_TYPES.find((t) => raw && t in raw);
    if (!type || !KNOWN_TYPES.includes(type) || typeof raw[type] !== 'object') {
      throw schemaError(at, `should be a block object with a supported type, instead was \`${quoteValue(raw)}\`.`);
    }
    const { children: nested, ...payload } = raw[type] as Record<string, unknown>;
    if (nested !== undefined && depth >= 2) {
      throw schemaError(`${at}.${type}.children`, `should be not present, instead was \`${quoteValue(nested)}\`.`);
    }
    const data: Record<string, unknown> = { ...payload };
    if ('rich_text' in payload) data.rich_text = richTextFromRequest(payload.rich_text, `${at}.${type}.rich_text`);
    if (Array.isArray(payload.caption)) data.caption = richTextFromRequest(payload.caption, `${at}.${type}.caption`);
    if (Array.isArray(payload.cells)) data.cells = payload.cells.map((c: unknown, j: number) => richTextFromRequest(c, `${at}.${type}.cells[${j}]`));
    if (Array.isArray(data.rich_text)) Object.assign(data, richBlock(type, data.rich_text as RichTextItemResponse[], { color: payload.color ?? 'default' }));
    if (type === 'code') data.language = notionLanguage(String(payload.language ?? ''));
    if (type === 'to_do') data.checked = !!payload.checked;
    const kids = nested === undefined ? [] : blocksFromRequest(nested, `${at}.${type}.children`, depth + 1);
    return newBlock(type, data, kids);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Stored block -> API response

export type BlockParent = { type: 'page_id'; page_id: string } | { type: 'block_id'; block_id: string };

export function blockResponse(block: StoredBlock, parent: BlockParent, inTrash = false): BlockObjectResponse {
  // One cast at the boundary: the payload was built per type above, the union can't be narrowed from a string.
  return {
    object: 'block',
    id: block.id,
    parent,
    created_time: block.createdTime,
    last_edited_time: block.lastEditedTime,
    created_by: { object: 'user', id: BOT_USER_ID },
    last_edited_by: { object: 'user', id: BOT_USER_ID },
    has_children: block.children.length > 0,
    in_trash: inTrash,
    archived: inTrash,
    type: block.type,
    [block.type]: block.data,
  } as unknown as BlockObjectResponse;
}
