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
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !new RegExp(`^\\s*${fence[1]}\\s*$`).test(lines[i])) body.push(lines[i++]);
      i++;
      const code = h('code', {}, body.join('\n'));
      out.append(h('pre', { className: 'md-code', attrs: { 'data-language': fence[2] || undefined } }, code));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(heading[1].length, 3);
      out.append(inline(h(level === 1 ? 'h3' : level === 2 ? 'h4' : 'h5', { className: `md-h${level}` }), heading[2]));
      i++;
      continue;
    }
    if (DIVIDER.test(line)) {
      out.append(h('hr'));
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const quote = h('blockquote');
      const text: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i])) text.push(QUOTE.exec(lines[i++])![1]);
      out.append(inline(quote, text.join(' ')));
      continue;
    }
    if (TO_DO_ITEM.test(line) || BULLET.test(line)) {
      const list = h('ul');
      while (i < lines.length && (TO_DO_ITEM.test(lines[i]) || BULLET.test(lines[i]))) {
        const todo = TO_DO_ITEM.exec(lines[i]);
        if (todo) {
          const done = todo[1] !== ' ';
          list.append(
            inline(h('li', { className: done ? 'md-todo md-done' : 'md-todo', attrs: { 'data-box': done ? '☑' : '☐' } }), todo[2]),
          );
        } else {
          list.append(inline(h('li'), BULLET.exec(lines[i])![1]));
        }
        i++;
      }
      out.append(list);
      continue;
    }
    if (NUMBERED.test(line)) {
      const list = h('ol');
      while (i < lines.length && NUMBERED.test(lines[i])) list.append(inline(h('li'), NUMBERED.exec(lines[i++])![1]));
      out.append(list);
      continue;
    }
    if (TABLE_ROW.test(line)) {
      const rows: string[][] = [];
      while (i < lines.length && TABLE_ROW.test(lines[i])) {
        if (!TABLE_RULE.test(lines[i])) rows.push(cells(lines[i]));
        i++;
      }
      const [head, ...body] = rows;
      const table = h('table', { className: 'md-table' });
      if (head) table.append(h('thead', {}, h('tr', {}, ...head.map((c) => inline(h('th'), c)))));
      if (body.length) table.append(h('tbody', {}, ...body.map((row) => h('tr', {}, ...row.map((c) => inline(h('td'), c))))));
      out.append(table);
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && lines[i].trim() && !startsBlock(lines[i])) paragraph.push(lines[i++].trim());
    if (paragraph.length === 0) paragraph.push(lines[i++].trim());
    out.append(inline(h('p'), paragraph.join(' ')));
  }
  return out;
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
