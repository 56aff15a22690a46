/**
 * A small markdown → DOM preview for generated text, safe by construction: it only creates elements and
 * sets text nodes, never parses HTML. It is a preview of what goes to Notion, not a faithful renderer:
 * headings, paragraphs, lists, to-dos, quotes, fenced code, tables, dividers; bold, italic, strikethrough,
 * inline code and link text. Unfinished input (mid-stream) renders as far as it goes.
 */
import { h } from './dom';

const FENCE = /^\s*(```|~~~)\s*([\w+#.-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const DIVIDER = /^\s*([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s*>\s?(.*)$/;
const TO_DO_ITEM = /^\s*[-*+]\s+\[([ xX])\]\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

export function renderMarkdown(markdown: string): DocumentFragment {
  const out = document.createDocumentFragment();
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    if (!lines[i].trim()) {
      i++;
      continue;
    }
    const block = readBlock(lines, i);
    out.append(block.node);
    i = block.next;
  }
  return out;
}

/** A block's element and the index of the line after it. */
interface Block {
  readonly node: HTMLElement;
  readonly next: number;
}

/** The block that starts at the (non-blank) line `i`. */
function readBlock(lines: readonly string[], i: number): Block {
  const line = lines[i];
  const fence = FENCE.exec(line);
  if (fence) return codeBlock(lines, i, fence);
  const heading = HEADING.exec(line);
  if (heading) return { node: headingBlock(heading), next: i + 1 };
  if (DIVIDER.test(line)) return { node: h('hr'), next: i + 1 };
  if (QUOTE.test(line)) return quoteBlock(lines, i);
  if (TO_DO_ITEM.test(line) || BULLET.test(line)) return bulletList(lines, i);
  if (NUMBERED.test(line)) return numberedList(lines, i);
  if (TABLE_ROW.test(line)) return tableBlock(lines, i);
  return paragraphBlock(lines, i);
}

/** The lines from `start` on that `test` accepts, up to the first it does not. */
function linesWhile(lines: readonly string[], start: number, test: (line: string) => boolean): string[] {
  let end = start;
  while (end < lines.length && test(lines[end])) end++;
  return lines.slice(start, end);
}

/** A fenced code block, up to its closing fence or the end of the text. */
function codeBlock(lines: readonly string[], start: number, fence: RegExpExecArray): Block {
  const closing = new RegExp(`^\\s*${fence[1]}\\s*$`);
  const body = linesWhile(lines, start + 1, (line) => !closing.test(line));
  const code = h('code', {}, body.join('\n'));
  return {
    node: h('pre', { className: 'md-code', attrs: { 'data-language': fence[2] || undefined } }, code),
    next: start + 1 + body.length + 1,
  };
}

/** Markdown's six heading levels as three: h3, h4 and h5. */
function headingBlock(heading: RegExpExecArray): HTMLElement {
  const level = Math.min(heading[1].length, 3);
  return inline(h(level === 1 ? 'h3' : level === 2 ? 'h4' : 'h5', { className: `md-h${level}` }), heading[2]);
}

/** Consecutive quoted lines, as one quote. */
function quoteBlock(lines: readonly string[], start: number): Block {
  const quoted = linesWhile(lines, start, (line) => QUOTE.test(line));
  const quote = h('blockquote');
  return { node: inline(quote, quoted.map((line) => QUOTE.exec(line)![1]).join(' ')), next: start + quoted.length };
}

/** Consecutive bullets and to-dos, as one list. */
function bulletList(lines: readonly string[], start: number): Block {
  const items = linesWhile(lines, start, (line) => TO_DO_ITEM.test(line) || BULLET.test(line));
  const list = h('ul');
  for (const line of items) {
    const todo = TO_DO_ITEM.exec(line);
    if (todo) {
      const done = todo[1] !== ' ';
      list.append(inline(h('li', { className: done ? 'md-todo md-done' : 'md-todo', attrs: { 'data-box': done ? '☑' : '☐' } }), todo[2]));
    } else {
      list.append(inline(h('li'), BULLET.exec(line)![1]));
    }
  }
  return { node: list, next: start + items.length };
}

/** Consecutive numbered items, as one list. */
function numberedList(lines: readonly string[], start: number): Block {
  const items = linesWhile(lines, start, (line) => NUMBERED.test(line));
  const list = h('ol');
  for (const line of items) list.append(inline(h('li'), NUMBERED.exec(line)![1]));
  return { node: list, next: start + items.length };
}

/** Consecutive table rows: the first is the head, the rule under it is left out. */
function tableBlock(lines: readonly string[], start: number): Block {
  const tableLines = linesWhile(lines, start, (line) => TABLE_ROW.test(line));
  const [head, ...body] = tableLines.filter((line) => !TABLE_RULE.test(line)).map(cells);
  const table = h('table', { className: 'md-table' });
  if (head) table.append(h('thead', {}, h('tr', {}, ...head.map((c) => inline(h('th'), c)))));
  if (body.length) table.append(h('tbody', {}, ...body.map((row) => h('tr', {}, ...row.map((c) => inline(h('td'), c))))));
  return { node: table, next: start + tableLines.length };
}

/** Lines up to a blank one or the start of another block, joined; at least the first line. */
function paragraphBlock(lines: readonly string[], start: number): Block {
  const text = linesWhile(lines, start, (line) => !!line.trim() && !startsBlock(line)).map((line) => line.trim());
  const next = start + Math.max(text.length, 1);
  if (text.length === 0) text.push(lines[start].trim());
  return { node: inline(h('p'), text.join(' ')), next };
}

function startsBlock(line: string): boolean {
  return (
    FENCE.test(line) ||
    HEADING.test(line) ||
    DIVIDER.test(line) ||
    QUOTE.test(line) ||
    BULLET.test(line) ||
    NUMBERED.test(line) ||
    TABLE_ROW.test(line)
  );
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/**
 * One token at a time. No class may run over the opening of another token of its own kind (a link's text
 * stops at `[`, its address at `(`, `[` or `]`), so an unclosed token costs one scan, not one per position.
 */
const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(~~[^~]+~~)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^[\]]+\]\([^()[\]\s]+\))/;

/** Appends `text` to `parent` with its inline formatting as elements; returns `parent`. */
function inline<T extends HTMLElement>(parent: T, text: string): T {
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) {
      parent.append(rest);
      break;
    }
    if (match.index > 0) parent.append(rest.slice(0, match.index));
    const [token, code, bold, strike, italic, link] = match;
    if (code) parent.append(h('code', {}, code.slice(1, -1)));
    else if (bold) parent.append(inline(h('strong'), bold.slice(2, -2)));
    else if (strike) parent.append(inline(h('s'), strike.slice(2, -2)));
    else if (italic) parent.append(inline(h('em'), italic.slice(1, -1)));
    else if (link) {
      const label = /^\[([^[\]]+)\]\(([^()[\]\s]+)\)$/.exec(link)!;
      // Link text only: the preview never navigates anywhere.
      parent.append(inline(h('span', { className: 'md-link', attrs: { title: label[2] } }), label[1]));
    }
    rest = rest.slice(match.index + token.length);
  }
  return parent;
}
