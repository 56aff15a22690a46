import type { Nodes, RootContent } from 'mdast';
import { parseMarkdown } from '../notion/markdownBlocks';

/**
 * Cuts streamed model output into complete top-level markdown blocks, so the page writer can convert and
 * send finished blocks while the model is still writing.
 *
 * There is one grammar: the converter's own parser (mdast). The buffered tail of complete lines is parsed;
 * every top-level node but the last is final (CommonMark never reopens a block once another has begun), so
 * those are released, cut at the nodes' source positions. Nodes are released as groups that convert apart
 * exactly as they convert together, and that a reader sees as one piece: a cut is made only where a blank
 * line separates two nodes or one of them is a heading or a thematic break, never between two lists that
 * follow each other, and never while a Notion container tag (`<toggle>`, `<details>`, …) is open.
 *
 * Work is line-based: a line is only looked at once its newline has arrived (or at `end()`), so where blocks
 * are cut depends on the text alone, never on how the stream happened to be split into pieces.
 */

/** Notion-flavoured markdown container tags whose children may be separated by blank lines. */
const CONTAINER_TAGS = ['toggle', 'details', 'callout', 'quote', 'columns', 'column', 'table', 'synced_block'];
const CONTAINER_TAG = new RegExp(`<(/?)(${CONTAINER_TAGS.join('|')})(?=[\\s>/])[^>]*>`, 'gi');

/**
 * A line that carries on whatever a blank line leaves open: fenced and `$$` blocks, HTML blocks that run
 * to an end marker, indented code, list items and footnotes all take an indented line. If it does not change
 * where the last group ends, nothing written next can, so the last group is final too. Lists are the one
 * structure another kind of line (a further item) carries on, so a list at the end waits for the next block.
 */
const PROBE = '    x\n';

/**
 * When to look: a cut may have become possible only at a blank line, at the line after one, or at a line
 * that may be a heading, a rule or a setext underline. Where the cut goes is the parser's answer alone.
 */
const MAY_CUT = /(?:^|\n)(?:[ \t]*\n| {0,3}#| {0,3}[-*_=][-*_= \t]*\n)/;
const ENDS_BLANK = /(?:^|\n)[ \t]*\n$/;

/** Tails up to this size are parsed at every line that may cut; larger ones once they grew by an eighth. */
const FREE_PARSE_CHARS = 8192;

interface Group {
  /** Offset of the start of the line the group's first node begins on. */
  readonly start: number;
  /** Offset where its last node ends. */
  readonly end: number;
  readonly last: RootContent;
  /** Container tags still open after the group. */
  readonly depth: number;
}

export class MarkdownChunker {
  /** Text after the last newline: a line still being written. */
  private partial = '';
  /**
   * A "\r" that ended the last piece may be half of a "\r\n". It is kept out of `partial` because
   * inspecting that growing string on every push would make long lines quadratic.
   */
  private heldCr = false;
  /** Complete lines not released yet, each with its newline. */
  private tail = '';
  /** The tail's length when it was last parsed without releasing everything. */
  private parsedAt = 0;

  /** Takes the next piece of the stream; returns the blocks it completed, possibly none. */
  push(text: string): string[] {
    const normalised = this.takeHeldCr(text).replace(/\r\n/g, '\n');
    const newline = normalised.lastIndexOf('\n');
    if (newline === -1) {
      this.partial += normalised;
      return [];
    }
    const lines = this.partial + normalised.slice(0, newline + 1);
    this.partial = normalised.slice(newline + 1);
    const afterBlank = ENDS_BLANK.test(this.tail.slice(-64));
    this.tail += lines;
    if (!(afterBlank || MAY_CUT.test(lines)) || !this.worthParsing()) return [];
    return this.release(false);
  }

  /** Ends the stream: returns the remaining blocks and resets the chunker for reuse. */
  end(): string[] {
    // A "\r" at the very end is a line ending cut short; the block would be trimmed of it anyway.
    this.heldCr = false;
    this.tail += this.partial;
    this.partial = '';
    const out = this.release(true);
    this.tail = '';
    this.parsedAt = 0;
    return out;
  }

  /** Puts back a held "\r" unless it turns out to start a "\r\n", and holds a new trailing one. */
  private takeHeldCr(text: string): string {
    const withCr = this.heldCr && !text.startsWith('\n') ? `\r${text}` : text;
    this.heldCr = withCr.endsWith('\r');
    return this.heldCr ? withCr.slice(0, -1) : withCr;
  }

  /** A long block (a big code fence) is parsed again only once it grew enough, so streaming it stays linear. */
  private worthParsing(): boolean {
    return this.tail.length <= FREE_PARSE_CHARS || (this.tail.length - this.parsedAt) * 8 >= this.tail.length;
  }

  private release(ending: boolean): string[] {
    const source = this.tail;
    const groups = groupsOf(source);
    if (groups.length === 0) {
      if (ending || source.trim() === '') this.tail = '';
      return [];
    }
    const releasing = ending || isFinal(source, groups) ? groups.length : groups.length - 1;
    const out = groups.slice(0, releasing).map((group) => source.slice(group.start, group.end).trimEnd());
    if (ending) out[out.length - 1] = closeOpenFence(source, groups[groups.length - 1]);
    this.tail = releasing === groups.length ? '' : source.slice(groups[releasing].start);
    this.parsedAt = this.tail.length;
    return out;
  }
}

/** Splits a whole document, exactly as streaming it through a `MarkdownChunker` would. */
export function splitMarkdownBlocks(markdown: string): string[] {
  const chunker = new MarkdownChunker();
  return [...chunker.push(markdown), ...chunker.end()];
}

/**
 * Joins consecutive blocks with a blank line into batches of at most `maxChars`, to keep each request
 * to Notion within a size budget. A block larger than the budget is sent alone rather than cut.
 */
export function groupBlocks(blocks: readonly string[], maxChars: number): string[] {
  const batches: string[] = [];
  let batch: string | undefined;
  for (const block of blocks) {
    if (batch !== undefined && batch.length + 2 + block.length <= maxChars) {
      batch += `\n\n${block}`;
    } else {
      if (batch !== undefined) batches.push(batch);
      batch = block;
    }
  }
  if (batch !== undefined) batches.push(batch);
  return batches;
}

/** The top-level nodes of `source`, in the groups that may be cut apart. */
function groupsOf(source: string): Group[] {
  const groups: Group[] = [];
  let open: { start: number; last: RootContent; depth: number } | undefined;
  for (const node of parseMarkdown(source).children) {
    const start = node.position!.start.offset!;
    if (open && mayCut(source, open.last, node, open.depth)) {
      groups.push({ start: open.start, end: open.last.position!.end.offset!, last: open.last, depth: open.depth });
      open = undefined;
    }
    const depth = Math.max(0, (open?.depth ?? 0) + tagDepthChange(node));
    open = { start: open?.start ?? lineStart(source, start), last: node, depth };
  }
  if (open) groups.push({ start: open.start, end: open.last.position!.end.offset!, last: open.last, depth: open.depth });
  return groups;
}

function mayCut(source: string, before: RootContent, after: RootContent, depth: number): boolean {
  if (depth > 0) return false;
  if (before.type === 'list' && after.type === 'list') return false;
  if (standsAlone(before) || standsAlone(after)) return true;
  return /\n[ \t]*\n/.test(source.slice(before.position!.end.offset!, after.position!.start.offset!));
}

function standsAlone(node: RootContent): boolean {
  return node.type === 'heading' || node.type === 'thematicBreak';
}

/**
 * Whether the last group is complete already: the tail ends with a blank line or a heading or rule, no tag
 * is open, it is not a list, and no line written next could carry it on (see `PROBE`).
 */
function isFinal(source: string, groups: readonly Group[]): boolean {
  const last = groups[groups.length - 1];
  if (last.depth > 0 || last.last.type === 'list') return false;
  if (!standsAlone(last.last) && !/\n[ \t]*\n/.test(source.slice(last.end))) return false;
  const probed = groupsOf(source + PROBE);
  const same = probed.findIndex((group) => group.start === last.start);
  return same >= 0 && same < probed.length - 1 && probed[same].end === last.end;
}

/**
 * An unterminated code fence or `$$` block at the very end would swallow the rest of the page in Notion: it
 * is closed with its opening marker, at the opening fence's indentation (and inside its quote).
 */
function closeOpenFence(source: string, group: Group): string {
  const text = source.slice(group.start, group.end).trimEnd();
  const fenced = lastDescendant(group.last, (node) => node.type === 'code' || node.type === 'math');
  if (!fenced) return text;
  const start = fenced.position!.start.offset!;
  const marker = /^(`{3,}|~{3,}|\${2,})/.exec(source.slice(start))?.[1];
  if (!marker) return text;
  const body = source.slice(start, fenced.position!.end.offset!);
  // A fence inside a quote has the quote's markers in front of each line, its closing one too.
  const lastLine = body
    .slice(body.lastIndexOf('\n') + 1)
    .replace(/^[\s>]*/, '')
    .trimEnd();
  const closed = body.includes('\n') && lastLine.length >= marker.length && lastLine === marker[0].repeat(lastLine.length);
  if (closed) return text;
  const before = source.slice(lineStart(source, start), start);
  const indent = /^[\s>]*$/.test(before) ? before : ' '.repeat(before.length);
  const whole = source.slice(group.start);
  return `${whole.endsWith('\n') ? whole.slice(0, -1) : whole}\n${indent}${marker}`;
}

/** The node found last on the way down through each node's last child, if any matches. */
function lastDescendant(node: Nodes, matches: (node: Nodes) => boolean): Nodes | undefined {
  let found: Nodes | undefined;
  for (let at: Nodes | undefined = node; at; at = 'children' in at ? at.children[at.children.length - 1] : undefined) {
    if (matches(at)) found = at;
  }
  return found;
}

/** Opening minus closing container tags in a node's HTML (code is code: tags in it count for nothing). */
function tagDepthChange(node: Nodes): number {
  if (node.type === 'html') {
    let change = 0;
    for (const match of node.value.matchAll(CONTAINER_TAG)) {
      if (match[0].endsWith('/>')) continue;
      change += match[1] ? -1 : 1;
    }
    return change;
  }
  return 'children' in node ? node.children.reduce((sum: number, child: Nodes) => sum + tagDepthChange(child), 0) : 0;
}

function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}
