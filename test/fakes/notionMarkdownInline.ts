// Inline Notion-flavored Markdown: rich text <-> markdown, as the markdown endpoints read and write it.
//
// Source: developers.notion.com/guides/data-apis/enhanced-markdown ("Enhanced markdown format", also called
// Notion-flavored Markdown), sections "Escaping", "Rich text formatting", "Mentions" and "Colors":
// - `\ * ~ ` $ [ ] < > { } | ^` are syntax outside code and are escaped with a backslash;
// - **bold**, *italic*, ~~strikethrough~~, `code`, [text](URL), $inline equation$, <br> line break,
//   <span underline="true">…</span>, <span color="Color">…</span>, <mention-… url="…"/> mentions.
// `_` is not in the escape list, so it is not emphasis syntax: `snake_case` stays as written.
// An unescaped `<word …>` is a tag. Tags the format does not define are not text: their markup is dropped
// (their inner text kept), and a `<` that opens no tag is dropped as well: the guide lists `<` as syntax that
// text must escape, so the stand-in does not guess what an unescaped one meant.
import type { RichTextItemResponse } from '@notionhq/client';
import { type Marks, NO_MARKS, equationItem, normalizeRichText, textItem } from './notionModel';

const ESCAPABLE = /[\\*~`$[\]<>{}|^]/g;
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

/** Index of the next unescaped `needle` at or after `from` (skipping `\x` escapes), or -1. */
function findUnescaped(src: string, needle: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === '\\') {
      i++;
      continue;
    }
    if (src.startsWith(needle, i)) return i;
  }
  return -1;
}

export function parseAttributes(raw: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of raw.matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)) attrs[m[1]] = m[2];
  return attrs;
}

const TAG = /^<([A-Za-z][\w-]*)((?:\s+[\w-]+\s*=\s*"[^"]*")*)\s*(\/?)>/;

function mentionItem(kind: string, attrs: Record<string, string>, inner: string, marks: Marks): RichTextItemResponse {
  const label = inner || attrs.url || attrs.start || kind;
  const base = textItem(label, marks);
  const id = attrs.url?.replace(/-/g, '').match(/[0-9a-f]{32}/i)?.[0] ?? '';
  const mention =
    kind === 'date'
      ? { type: 'date', date: { start: attrs.start ?? '', end: attrs.end ?? null, time_zone: null } }
      : kind === 'user'
        ? { type: 'user', user: { object: 'user', id } }
        : { type: kind === 'database' ? 'database' : 'page', [kind === 'database' ? 'database' : 'page']: { id } };
  return { type: 'mention', mention, annotations: base.annotations, plain_text: label, href: attrs.url ?? null } as RichTextItemResponse;
}

function parseInline(src: string, marks: Marks): RichTextItemResponse[] {
  const out: RichTextItemResponse[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push(textItem(text, marks));
    text = '';
  };
  const wrap = (inner: string, next: Partial<Marks>) => {
    flush();
    out.push(...parseInline(inner, { ...marks, ...next }));
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length && ASCII_PUNCT.test(src[i + 1])) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(src.slice(i))![0];
      const close = src.indexOf(run, i + run.length);
      if (close > 0) {
        flush();
        let code = src.slice(i + run.length, close);
        if (run.length > 1 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
        out.push(textItem(code, { ...marks, code: true }));
        i = close + run.length;
        continue;
      }
    }
    if (c === '$') {
      const close = findUnescaped(src, '$', i + 1);
      if (close > i + 1) {
        flush();
        out.push(equationItem(src.slice(i + 1, close), marks));
        i = close + 1;
        continue;
      }
    }
    const pair = src.startsWith('**', i) ? '**' : src.startsWith('~~', i) ? '~~' : c === '*' ? '*' : undefined;
    if (pair) {
      const close = findUnescaped(src, pair, i + pair.length);
      if (close > i + pair.length && (pair !== '*' || src[close + 1] !== '*' || src.startsWith('**', close + 1) === false)) {
        wrap(
          src.slice(i + pair.length, close),
          pair === '**' ? { bold: true } : pair === '~~' ? { strikethrough: true } : { italic: true },
        );
        i = close + pair.length;
        continue;
      }
    }
    if (c === '[') {
      const close = findUnescaped(src, ']', i + 1);
      const url = close > 0 && src[close + 1] === '(' ? /^\(([^()\s]*)\)/.exec(src.slice(close + 1)) : null;
      if (url) {
        wrap(src.slice(i + 1, close), { link: url[1] });
        i = close + 1 + url[0].length;
        continue;
      }
    }
    if (c === '<') {
      const tag = TAG.exec(src.slice(i));
      if (!tag) {
        i++; // a bare `<` is syntax that opens nothing: dropped (see the header comment)
        continue;
      }
      const [whole, name, rawAttrs, selfClosing] = tag;
      const attrs = parseAttributes(rawAttrs);
      const start = i + whole.length;
      const closeTag = `</${name}>`;
      const end = selfClosing ? -1 : src.indexOf(closeTag, start);
      const inner = end >= 0 ? src.slice(start, end) : '';
      const after = end >= 0 ? end + closeTag.length : start;
      flush();
      if (name === 'br') {
        out.push(textItem('\n', marks));
        i = start;
        continue;
      }
      if (name.startsWith('mention-')) {
        out.push(mentionItem(name.slice('mention-'.length), attrs, inner, marks));
      } else if (name === 'span') {
        const next: Partial<Marks> = {};
        if (attrs.underline === 'true') next.underline = true;
        if (attrs.color) next.color = attrs.color as Marks['color'];
        out.push(...parseInline(inner, { ...marks, ...next }));
      } else if (end >= 0) {
        out.push(...parseInline(inner, marks)); // unknown tag: markup dropped, content kept
      }
      i = after;
      continue;
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

export function markdownToRichText(markdown: string): RichTextItemResponse[] {
  return normalizeRichText(parseInline(markdown, NO_MARKS));
}

export function escapeText(text: string): string {
  return text.replace(ESCAPABLE, '\\$&').replace(/\n/g, '<br>');
}

/** Renders rich text back to Notion-flavored Markdown, nesting marks so the output parses back to the same runs. */
export function richTextToMarkdown(items: RichTextItemResponse[]): string {
  type Mark = { key: string; open: string; close: string };
  const marksOf = (item: RichTextItemResponse): Mark[] => {
    const a = item.annotations;
    const marks: Mark[] = [];
    if (item.type === 'text' && item.href) marks.push({ key: `link:${item.href}`, open: '[', close: `](${item.href})` });
    if (a.color !== 'default' || a.underline) {
      const attrs = `${a.underline ? ' underline="true"' : ''}${a.color !== 'default' ? ` color="${a.color}"` : ''}`;
      marks.push({ key: `span:${attrs}`, open: `<span${attrs}>`, close: '</span>' });
    }
    if (a.bold) marks.push({ key: 'bold', open: '**', close: '**' });
    if (a.italic) marks.push({ key: 'italic', open: '*', close: '*' });
    if (a.strikethrough) marks.push({ key: 'strike', open: '~~', close: '~~' });
    return marks;
  };
  let out = '';
  let stack: Mark[] = [];
  let pendingSpace = '';
  for (const item of items) {
    const wanted = marksOf(item);
    let common = 0;
    while (common < stack.length && common < wanted.length && stack[common].key === wanted[common].key) common++;
    for (const mark of stack.slice(common).reverse()) out += mark.close;
    const raw = item.type === 'equation' ? item.equation.expression : item.plain_text;
    const [, lead, core, trail] = item.type === 'equation' ? ['', '', raw, ''] : (/^(\s*)([\s\S]*?)(\s*)$/.exec(raw) ?? ['', '', raw, '']);
    out += pendingSpace + escapeText(lead);
    for (const mark of wanted.slice(common)) out += mark.open;
    stack = wanted;
    if (item.type === 'equation') out += `$${core}$`;
    else if (item.annotations.code) {
      const fence = core.includes('`') ? '``' : '`';
      out += fence + (fence === '``' ? ` ${core} ` : core) + fence;
    } else out += escapeText(core);
    pendingSpace = escapeText(trail);
  }
  for (const mark of stack.reverse()) out += mark.close;
  return out + pendingSpace;
}
