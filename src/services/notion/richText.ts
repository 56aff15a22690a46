import type { PhrasingContent } from 'mdast';

/**
 * Rich text for Notion block requests: the model's inline markdown (mdast phrasing nodes) becomes runs of
 * text with their formatting, and runs become request items that respect Notion's limits.
 */

/** Notion rejects a rich text item whose `text.content` is longer. */
export const RICH_TEXT_ITEM_LIMIT = 2000;
/** Notion rejects a rich text array with more items. */
export const RICH_TEXT_ITEMS_PER_ARRAY = 100;
/** Notion rejects a longer `equation.expression`. */
export const EQUATION_LIMIT = 1000;
/** Notion rejects a longer link URL. */
export const URL_LIMIT = 2000;

export interface Marks {
  readonly bold: boolean;
  readonly italic: boolean;
  readonly strikethrough: boolean;
  readonly code: boolean;
  readonly link?: string;
}

export type Run =
  { readonly kind: 'text'; readonly text: string; readonly marks: Marks } | { readonly kind: 'equation'; readonly expression: string };

type Annotations = { bold?: boolean; italic?: boolean; strikethrough?: boolean; code?: boolean };

/** A rich text request item, always with its `type`; assignable to the SDK's `RichTextItemRequest`. */
export type RichTextItem =
  | { type: 'text'; text: { content: string; link?: { url: string } }; annotations?: Annotations }
  | { type: 'equation'; equation: { expression: string } };

export const PLAIN: Marks = { bold: false, italic: false, strikethrough: false, code: false };

export function textRun(text: string, marks: Marks = PLAIN): Run {
  return { kind: 'text', text, marks };
}

/**
 * The URL to link to, or undefined when Notion would refuse it ("Invalid URL for link"): only absolute
 * http(s) and mailto URLs that parse, within Notion's length limit.
 */
function safeLinkUrl(url: string | undefined | null): string | undefined {
  if (!url || url.length > URL_LIMIT) return undefined;
  try {
    const parsed = new URL(url);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Absolute http(s) URL that Notion can show as an external image. */
export function safeImageUrl(url: string | undefined | null): string | undefined {
  const safe = safeLinkUrl(url);
  return safe && /^https?:/i.test(safe) ? safe : undefined;
}

function sameMarks(a: Marks, b: Marks): boolean {
  return a.bold === b.bold && a.italic === b.italic && a.strikethrough === b.strikethrough && a.code === b.code && a.link === b.link;
}

/** Joins neighbouring text runs with equal formatting and drops empty ones. */
function mergeRuns(runs: readonly Run[]): Run[] {
  const merged: Run[] = [];
  for (const run of runs) {
    if (run.kind === 'text' && run.text === '') continue;
    const last = merged[merged.length - 1];
    if (run.kind === 'text' && last?.kind === 'text' && sameMarks(last.marks, run.marks)) {
      merged[merged.length - 1] = textRun(last.text + run.text, last.marks);
    } else {
      merged.push(run);
    }
  }
  return merged;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Cuts text into pieces of at most `limit` characters that join back to the text exactly. A piece ends
 * after the last whitespace that fits, so no word is broken; only a single word longer than the limit is
 * cut hard, and never between the two halves of a surrogate pair.
 */
export function splitText(text: string, limit = RICH_TEXT_ITEM_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = 0;
    for (let i = limit; i > 0; i--) {
      if (/\s/.test(rest[i - 1])) {
        cut = i;
        break;
      }
    }
    if (cut === 0) cut = isHighSurrogate(rest.charCodeAt(limit - 1)) ? limit - 1 : limit;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest !== '' || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** The first `limit` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair (an emoji). */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return text.slice(0, isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit);
}

/** Cuts code at line ends where it can (each piece ends with its "\n"), else like `splitText`. */
export function splitCode(code: string, limit = RICH_TEXT_ITEM_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = code;
  while (rest.length > limit) {
    const newline = rest.lastIndexOf('\n', limit - 1);
    if (newline >= 0) {
      pieces.push(rest.slice(0, newline + 1));
      rest = rest.slice(newline + 1);
    } else {
      const [first] = splitText(rest, limit);
      pieces.push(first);
      rest = rest.slice(first.length);
    }
  }
  if (rest !== '' || pieces.length === 0) pieces.push(rest);
  return pieces;
}

function annotations(marks: Marks): Annotations | undefined {
  const set: Annotations = {};
  if (marks.bold) set.bold = true;
  if (marks.italic) set.italic = true;
  if (marks.strikethrough) set.strikethrough = true;
  if (marks.code) set.code = true;
  return Object.keys(set).length > 0 ? set : undefined;
}

/** Runs → request items: equal neighbours merged, text cut at Notion's per-item limit. */
export function toRichText(runs: readonly Run[]): RichTextItem[] {
  const items: RichTextItem[] = [];
  for (const run of mergeRuns(runs)) {
    if (run.kind === 'equation') {
      items.push({ type: 'equation', equation: { expression: run.expression } });
      continue;
    }
    const annotated = annotations(run.marks);
    for (const content of splitText(run.text)) {
      const item: RichTextItem = { type: 'text', text: { content } };
      if (run.marks.link) item.text.link = { url: run.marks.link };
      if (annotated) item.annotations = { ...annotated };
      items.push(item);
    }
  }
  return items;
}

/** Items in arrays of at most 100; always at least one (possibly empty) array. */
export function chunkItems<T>(items: readonly T[], size = RICH_TEXT_ITEMS_PER_ARRAY): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks.length > 0 ? chunks : [[]];
}

/** Plain text of runs, equations as their expression. */
export function runsText(runs: readonly Run[]): string {
  return runs.map((run) => (run.kind === 'text' ? run.text : run.expression)).join('');
}

/** Removes leading (or trailing) whitespace from a run list, across runs. */
export function trimRuns(runs: readonly Run[]): Run[] {
  const out = mergeRuns(runs);
  while (out.length > 0) {
    const first = out[0];
    if (first.kind !== 'text') break;
    const text = first.text.replace(/^\s+/, '');
    if (text) {
      out[0] = textRun(text, first.marks);
      break;
    }
    out.shift();
  }
  while (out.length > 0) {
    const last = out[out.length - 1];
    if (last.kind !== 'text') break;
    const text = last.text.replace(/\s+$/, '');
    if (text) {
      out[out.length - 1] = textRun(text, last.marks);
      break;
    }
    out.pop();
  }
  return out;
}

/**
 * Turns phrasing nodes into runs. `source` is the whole (LF-normalised) markdown: literal text is taken
 * from it where the parser has already interpreted what the model wrote (escapes, references).
 */
export class InlineConverter {
  constructor(private readonly source: string) {}

  runs(nodes: readonly PhrasingContent[], marks: Marks = PLAIN): Run[] {
    return nodes.flatMap((node) => this.run(node, marks));
  }

  /** What the model wrote for a node, verbatim. */
  raw(node: { position?: { start: { offset?: number }; end: { offset?: number } } }): string {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    return start === undefined || end === undefined ? '' : this.source.slice(start, end);
  }

  private run(node: PhrasingContent, marks: Marks): Run[] {
    switch (node.type) {
      case 'text':
        return this.text(node.value, this.raw(node), marks);
      case 'emphasis':
        return this.runs(node.children, { ...marks, italic: true });
      case 'strong':
        return this.runs(node.children, { ...marks, bold: true });
      case 'delete':
        return this.runs(node.children, { ...marks, strikethrough: true });
      case 'inlineCode':
        return [textRun(node.value, { ...marks, code: true })];
      case 'break':
        return [textRun('\n', marks)];
      case 'html':
        return [textRun(node.value, marks)];
      case 'link': {
        const url = safeLinkUrl(node.url);
        return this.runs(node.children, url ? { ...marks, link: url } : marks);
      }
      case 'image': {
        // Where no image block can go (headings, cells, quote text): the alt text linked to the image.
        const url = safeImageUrl(node.url);
        return url ? [textRun(node.alt || url, { ...marks, link: url })] : [textRun(this.raw(node), marks)];
      }
      case 'inlineMath':
        return node.value.length <= EQUATION_LIMIT
          ? [{ kind: 'equation', expression: node.value }]
          : [textRun(node.value, { ...marks, code: true })];
      case 'linkReference': {
        // Shown as written, its text formatted as without the definition, which may sit in another chunk.
        const first = node.children[0]?.position?.start.offset;
        const last = node.children[node.children.length - 1]?.position?.end.offset;
        const start = node.position?.start.offset;
        const end = node.position?.end.offset;
        if (first === undefined || last === undefined || start === undefined || end === undefined) break;
        return [
          textRun(this.source.slice(start, first), marks),
          ...this.runs(node.children, marks),
          textRun(this.source.slice(last, end), marks),
        ];
      }
    }
    switch (node.type) {
      default:
        // References without their definition's meaning, footnote markers: as the model wrote them.
        return [textRun(this.raw(node), marks)];
    }
  }

  /**
   * Text, with `\(…\)` inline math recovered: the parser reads `\(` as an escaped "(", so the source is
   * aligned with the parsed value to find which brackets the model escaped.
   */
  private text(value: string, raw: string, marks: Marks): Run[] {
    if (!raw.includes('\\(') || !raw.includes('\\)')) return [textRun(value, marks)];
    const escapedAt = new Map<number, number>(); // value index → raw index of the backslash
    let r = 0;
    for (let v = 0; v < value.length && r < raw.length;) {
      if (raw[r] === '\\' && r + 1 < raw.length && raw[r + 1] === value[v] && /[!-/:-@[-`{-~]/.test(value[v])) {
        escapedAt.set(v, r);
        r += 2;
        v++;
      } else if (raw[r] === value[v]) {
        r++;
        v++;
      } else {
        r++;
      }
    }
    const runs: Run[] = [];
    let from = 0;
    for (let v = 0; v < value.length; v++) {
      if (value[v] !== '(' || !escapedAt.has(v)) continue;
      let close = v + 1;
      while (close < value.length && !(value[close] === ')' && escapedAt.has(close))) close++;
      if (close >= value.length) break;
      const expression = raw.slice(escapedAt.get(v)! + 2, escapedAt.get(close)!).trim();
      if (expression === '' || expression.length > EQUATION_LIMIT) continue;
      runs.push(textRun(value.slice(from, v), marks), { kind: 'equation', expression });
      from = close + 1;
      v = close;
    }
    runs.push(textRun(value.slice(from), marks));
    return runs;
  }
}
