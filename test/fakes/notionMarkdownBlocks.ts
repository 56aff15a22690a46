// Block-level Notion-flavored Markdown -> stored blocks, as POST /v1/pages `markdown` and PATCH …/markdown read it.
//
// Source: developers.notion.com/guides/data-apis/enhanced-markdown ("Enhanced markdown format"):
// - "Use tabs for indentation. Child blocks are indented one tab deeper than their parent." Spaces do not
//   indent: a line indented with spaces is read at its parent's level (so 2-space nested GitHub lists are flat).
// - One block per line: "Multiple > lines render as separate quote blocks, not a single multi-line quote"
//   (multi-line quotes use <br>). The v2 guide ("Migrate to Notion-flavored Markdown (v2)") states the contrast:
//   "In v2, a single newline doesn't start a new block", i.e. in enhanced markdown (v1) it does.
// - Headings `#`…`####` ("Headings 5 and 6 are converted to heading 4"; "Headings do not support children"
//   unless toggleable with {toggle="true"}); lists `-` / `1.`; to-dos `- [ ]` / `- [x]`; ```lang fences;
//   `$$` equations; `---` divider; <details><summary>…</summary> toggles; <callout> and `::: callout` fenced
//   divs; <table> with <tr>/<td>; <columns>/<column>; <page url>/<database url> references; <empty-block/>;
//   <table_of_contents/>. A trailing `{key="value" …}` attribute list on a block's line is attributes
//   (color, toggle), never text — in v1. v2 "saves {color="..."} as literal" text (migration guide).
// - `<unknown url alt/>` stands for blocks the endpoint cannot express; it creates nothing.
// GitHub pipe tables are not in the format: their lines are paragraphs.
import { parseAttributes, markdownToRichText } from './notionMarkdownInline';
import {
  type StoredBlock,
  LANGUAGES,
  type LanguageRequest,
  idFromNotionUrl,
  newBlock,
  normalizeRichText,
  richBlock,
  textItem,
} from './notionModel';

export type MarkdownVersion = 'v1' | 'v2';

/** Fence languages must be Notion's own names; anything else (e.g. `ts`) is stored as plain text. */
function fenceLanguage(info: string | undefined): LanguageRequest {
  const lang = (info ?? '').trim().toLowerCase();
  return LANGUAGES.find((l) => l === lang) ?? 'plain text';
}

/** Splits a trailing unescaped `{…}` attribute list off a line (enhanced markdown only). */
function splitAttributes(line: string, version: MarkdownVersion): { text: string; attrs: Record<string, string> } {
  if (version === 'v2') return { text: line, attrs: {} };
  const m = /\s*\{([^{}]*)\}\s*$/.exec(line);
  if (!m || line[m.index + m[0].indexOf('{') - 1] === '\\') return { text: line, attrs: {} };
  return { text: line.slice(0, m.index), attrs: parseAttributes(m[1]) };
}

const dedent = (lines: string[]) => lines.map((l) => (l.startsWith('\t') ? l.slice(1) : l));

/** The lines after `from` that belong to the block at `from`: tab-indented ones (blank lines between them too). */
function childLines(lines: string[], from: number): number {
  let end = from;
  for (let j = from; j < lines.length; j++) {
    if (lines[j].startsWith('\t')) end = j + 1;
    else if (lines[j].trim() !== '') break;
  }
  return end;
}

/** Index of the line closing a container tag opened at `from` (same level, not indented), or lines.length. */
function closingLine(lines: string[], from: number, close: (line: string) => boolean): number {
  for (let j = from + 1; j < lines.length; j++) if (!lines[j].startsWith('\t') && close(lines[j].trim())) return j;
  return lines.length;
}

const rich = (text: string) => markdownToRichText(text);
const colorOf = (attrs: Record<string, string>) => attrs.color ?? 'default';

function tableBlock(attrs: Record<string, string>, inner: string): StoredBlock {
  const rows = [...inner.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    newBlock('table_row', {
      cells: [...row[1].matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => normalizeRichText(rich(cell[1].trim()))),
    }),
  );
  const width = Math.max(1, ...rows.map((r) => (r.data.cells as unknown[]).length));
  for (const r of rows) while ((r.data.cells as unknown[]).length < width) (r.data.cells as unknown[]).push([]);
  return newBlock(
    'table',
    { table_width: width, has_column_header: attrs['header-row'] === 'true', has_row_header: attrs['header-column'] === 'true' },
    rows,
  );
}

function parseBlocks(lines: string[], version: MarkdownVersion): StoredBlock[] {
  const out: StoredBlock[] = [];
  let i = 0;
  /** Parses the children that follow line i-1 (tab-indented lines) and advances i past them. */
  const takeChildren = (): StoredBlock[] => {
    const end = childLines(lines, i);
    const kids = parseBlocks(dedent(lines.slice(i, end)), version);
    i = end;
    return kids;
  };
  while (i < lines.length) {
    const raw = lines[i];
    const line = raw.replace(/^[\t ]+/, ''); // a line indented without a parent, or with spaces: read at this level
    i++;
    if (line.trim() === '') continue;

    const fence = /^(`{3,}|~{3,})\s*(.*)$/.exec(line);
    if (fence) {
      const end = closingLine(lines, i - 1, (l) => l.startsWith(fence[1][0].repeat(fence[1].length)) && /^[`~]+$/.test(l));
      const body = lines.slice(i, end).join('\n');
      i = end + 1;
      out.push(newBlock('code', { caption: [], rich_text: normalizeRichText([textItem(body)]), language: fenceLanguage(fence[2]) }));
      continue;
    }
    if (line.trim() === '$$') {
      const end = closingLine(lines, i - 1, (l) => l === '$$');
      out.push(newBlock('equation', { expression: lines.slice(i, end).join('\n') }));
      i = end + 1;
      continue;
    }
    const oneLineEquation = /^\$\$(.+)\$\$$/.exec(line.trim());
    if (oneLineEquation) {
      out.push(newBlock('equation', { expression: oneLineEquation[1] }));
      continue;
    }

    const tag = /^<([A-Za-z][\w-]*)\b([^>]*?)(\/?)>/.exec(line);
    if (tag) {
      const [, name, rawAttrs] = tag;
      const attrs = parseAttributes(rawAttrs);
      if (name === 'unknown') continue;
      if (name === 'empty-block') {
        out.push(newBlock('paragraph', richBlock('paragraph', [])));
        continue;
      }
      if (name === 'table_of_contents') {
        out.push(newBlock('table_of_contents', { color: colorOf(attrs) }));
        continue;
      }
      if (name === 'page' || name === 'database') {
        const title = /^<(?:page|database)\b[^>]*>([\s\S]*?)<\/(?:page|database)>/.exec(line)?.[1] ?? '';
        const block = newBlock(name === 'page' ? 'child_page' : 'child_database', { title });
        block.id = (attrs.url && idFromNotionUrl(attrs.url)) || block.id;
        out.push(block);
        continue;
      }
      if (['details', 'toggle', 'callout', 'table', 'columns'].includes(name)) {
        const end = line.includes(`</${name}>`) ? i - 1 : closingLine(lines, i - 1, (l) => l === `</${name}>`);
        const innerLines = end === i - 1 ? [line.slice(tag[0].length, line.lastIndexOf(`</${name}>`))] : lines.slice(i, end);
        i = Math.max(i, end + 1);
        out.push(containerBlock(name, attrs, innerLines, version));
        continue;
      }
    }
    const fencedDiv = /^:{3,}\s*callout\b(.*)$/.exec(line);
    if (fencedDiv) {
      const end = closingLine(lines, i - 1, (l) => /^:{3,}$/.test(l));
      const [first = '', ...rest] = lines.slice(i, end);
      i = end + 1;
      const attrs = parseAttributes(fencedDiv[1]);
      out.push(
        newBlock(
          'callout',
          {
            rich_text: normalizeRichText(rich(first)),
            icon: attrs.icon ? { type: 'emoji', emoji: attrs.icon } : null,
            color: colorOf(attrs),
          },
          parseBlocks(dedent(rest), version),
        ),
      );
      continue;
    }

    const { text, attrs } = splitAttributes(line, version);
    const color = colorOf(attrs);
    let m: RegExpExecArray | null;
    if ((m = /^(#{1,6})\s+(.*)$/.exec(text))) {
      const type = `heading_${Math.min(m[1].length, 4)}`;
      const toggleable = attrs.toggle === 'true';
      out.push(newBlock(type, richBlock(type, rich(m[2]), { color, is_toggleable: toggleable }), toggleable ? takeChildren() : []));
    } else if (/^(-{3,}|\*{3,}|_{3,})$/.test(text.trim())) {
      out.push(newBlock('divider', {}));
    } else if ((m = /^[-*+]\s+\[([ xX])\](?:\s+(.*))?$/.exec(text))) {
      out.push(newBlock('to_do', richBlock('to_do', rich(m[2] ?? ''), { checked: m[1] !== ' ', color }), takeChildren()));
    } else if ((m = /^[-*+](?:\s+(.*))?$/.exec(text))) {
      out.push(newBlock('bulleted_list_item', richBlock('bulleted_list_item', rich(m[1] ?? ''), { color }), takeChildren()));
    } else if ((m = /^\d+[.)](?:\s+(.*))?$/.exec(text))) {
      out.push(newBlock('numbered_list_item', richBlock('numbered_list_item', rich(m[1] ?? ''), { color }), takeChildren()));
    } else if ((m = /^>\s?(.*)$/.exec(text))) {
      out.push(newBlock('quote', richBlock('quote', rich(m[1]), { color }), takeChildren()));
    } else if ((m = /^!\[([^\]]*)\]\(([^()\s]+)\)$/.exec(text.trim()))) {
      out.push(newBlock('image', { caption: normalizeRichText(rich(m[1])), type: 'external', external: { url: m[2] } }));
    } else {
      let paragraph = text;
      // v2: "a single newline doesn't start a new block" — following plain lines continue the paragraph.
      while (version === 'v2' && i < lines.length && lines[i].trim() !== '' && !lines[i].startsWith('\t') && !startsBlock(lines[i])) {
        paragraph += `\n${lines[i]}`;
        i++;
      }
      out.push(newBlock('paragraph', richBlock('paragraph', rich(paragraph.replace(/\n/g, '<br>')), { color }), takeChildren()));
    }
  }
  return out;
}

const startsBlock = (line: string) =>
  /^(#{1,6}\s|[-*+](\s|$)|\d+[.)](\s|$)|>|```|~~~|\$\$|<[A-Za-z]|:::|(-{3,}|\*{3,}|_{3,})\s*$)/.test(line);

function containerBlock(name: string, attrs: Record<string, string>, inner: string[], version: MarkdownVersion): StoredBlock {
  const color = colorOf(attrs);
  if (name === 'table') return tableBlock(attrs, inner.join('\n'));
  if (name === 'columns') {
    const columns: StoredBlock[] = [];
    const body = dedent(inner);
    for (let j = 0; j < body.length; j++) {
      if (!/^<column\b/.test(body[j].trim())) continue;
      const end = closingLine(body, j, (l) => l === '</column>');
      columns.push(newBlock('column', {}, parseBlocks(dedent(body.slice(j + 1, end)), version)));
      j = end;
    }
    return newBlock('column_list', {}, columns);
  }
  if (name === 'callout') {
    const body = dedent(inner);
    const first = body.findIndex((l) => l.trim() !== '');
    const text = first >= 0 ? body[first].trim() : '';
    const icon = attrs.icon ? { type: 'emoji', emoji: attrs.icon } : null;
    return newBlock('callout', { rich_text: normalizeRichText(rich(text)), icon, color }, parseBlocks(body.slice(first + 1), version));
  }
  // <details><summary>Title</summary> children </details> (and the <toggle> spelling)
  const summaryAt = inner.findIndex((l) => /^\s*<summary>/.test(l));
  const title = summaryAt >= 0 ? (/<summary>([\s\S]*?)<\/summary>/.exec(inner[summaryAt])?.[1] ?? '') : '';
  const rest = summaryAt >= 0 ? inner.filter((_, j) => j !== summaryAt) : inner;
  return newBlock('toggle', richBlock('toggle', rich(title), { color }), parseBlocks(dedent(rest), version));
}

export function markdownToBlocks(markdown: string, version: MarkdownVersion = 'v1'): StoredBlock[] {
  return parseBlocks(markdown.replace(/\r\n?/g, '\n').split('\n'), version);
}
