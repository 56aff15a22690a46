/**
 * Cuts streamed model output into complete Notion-flavoured markdown blocks, so the page writer can
 * send finished blocks while the model is still writing.
 *
 * Work is line-based: a line is only looked at once its newline has arrived (or at `end()`), so where
 * blocks are cut depends on the text alone, never on how the stream happened to be split into pieces.
 * Cuts are made only at blank lines (and around headings and thematic breaks); a cut is never made
 * where it would change how Notion parses the text: inside a code fence, a list (a loose list would
 * otherwise restart its numbering), or a `<toggle>`-style tag block.
 */

/** Notion's per-rich-text-object limit; longer paragraphs are rejected by the API. */
export const NOTION_RICH_TEXT_LIMIT = 2000;

type Fence = { readonly indent: string; readonly marker: string };
type OpenTag = { readonly name: string; depth: number };

const BLANK = /^\s*$/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const FENCE_OPEN = /^(\s*)(`{3,}(?=[^`]*$)|~{3,})/;
/** Lines that belong to markdown structures a paragraph split would break. */
const STRUCTURE = /^\s*(?:\||>|<|\$\$)/;
/** Notion-flavoured markdown container tags whose children may be separated by blank lines. */
const CONTAINER_TAGS = ['toggle', 'details', 'callout', 'quote', 'columns', 'column', 'table', 'synced_block'];
const TAG_OPEN = new RegExp(`^\\s*<(${CONTAINER_TAGS.join('|')})(?=[\\s>])`, 'i');

export class MarkdownChunker {
  /** Text after the last newline: a line still being written. */
  private partial = '';
  /**
   * A "\r" that ended the last piece may be half of a "\r\n". It is kept out of `partial` because
   * inspecting that growing string on every push would make long lines quadratic.
   */
  private heldCr = false;
  private lines: string[] = [];
  /** Blank lines after a list item, kept until the next line tells whether the list goes on. */
  private heldBlanks: string[] = [];
  private inList = false;
  /** Whether the open block holds anything besides paragraph text, so it must not be split. */
  private structured = false;
  private fence: Fence | undefined;
  private tag: OpenTag | undefined;

  /** Takes the next piece of the stream; returns the blocks it completed, possibly none. */
  push(text: string): string[] {
    const normalised = this.takeHeldCr(text).replace(/\r\n/g, '\n');
    const out: string[] = [];
    let start = 0;
    for (let newline = normalised.indexOf('\n'); newline !== -1; newline = normalised.indexOf('\n', start)) {
      this.takeLine(this.partial + normalised.slice(start, newline), out);
      this.partial = '';
      start = newline + 1;
    }
    this.partial += normalised.slice(start);
    return out;
  }

  /** Ends the stream: returns the remaining blocks and resets the chunker for reuse. */
  end(): string[] {
    const out: string[] = [];
    // A "\r" at the very end is a line ending cut short; the block would be trimmed of it anyway.
    this.heldCr = false;
    if (this.partial) this.takeLine(this.partial, out);
    this.partial = '';
    // An unterminated fence would swallow the rest of the page in Notion; close it.
    if (this.fence) this.lines.push(this.fence.indent + this.fence.marker);
    this.fence = undefined;
    this.tag = undefined;
    this.flush(out);
    return out;
  }

  /** Puts back a held "\r" unless it turns out to start a "\r\n", and holds a new trailing one. */
  private takeHeldCr(text: string): string {
    const withCr = this.heldCr && !text.startsWith('\n') ? `\r${text}` : text;
    this.heldCr = withCr.endsWith('\r');
    return this.heldCr ? withCr.slice(0, -1) : withCr;
  }

  private takeLine(line: string, out: string[]): void {
    if (this.fence) return this.takeFencedLine(line, this.fence);
    if (this.tag) return this.takeTaggedLine(line, this.tag);
    if (BLANK.test(line)) return this.takeBlankLine(line, out);
    if (this.heldBlanks.length > 0 && !continuesList(line)) this.flush(out);
    if (this.startsStandaloneBlock(line)) {
      this.flush(out);
      out.push(line.trimEnd());
      return;
    }
    this.append(line);
  }

  private takeFencedLine(line: string, fence: Fence): void {
    this.lines.push(line);
    if (closesFence(line, fence)) this.fence = undefined;
  }

  /** Inside a tag only fences matter besides the tag itself: a `</toggle>` in code closes nothing. */
  private takeTaggedLine(line: string, tag: OpenTag): void {
    this.lines.push(line);
    this.fence = openFence(line);
    if (this.fence) return;
    tag.depth += tagDepthChange(line, tag.name);
    if (tag.depth <= 0) this.tag = undefined;
  }

  private takeBlankLine(line: string, out: string[]): void {
    if (this.lines.length === 0) return;
    if (this.inList) this.heldBlanks.push(line);
    else this.flush(out);
  }

  /** Headings and thematic breaks stand alone; inside a list only unindented ones end it. */
  private startsStandaloneBlock(line: string): boolean {
    if (this.inList && /^\s/.test(line)) return false;
    return HEADING.test(line) || THEMATIC_BREAK.test(line);
  }

  private append(line: string): void {
    this.lines.push(...this.heldBlanks, line);
    this.heldBlanks = [];
    if (LIST_ITEM.test(line)) this.inList = true;
    this.fence = openFence(line);
    this.tag = openTag(line);
    if (this.inList || this.fence || this.tag || STRUCTURE.test(line)) this.structured = true;
  }

  private flush(out: string[]): void {
    if (this.lines.length > 0) {
      const block = this.lines.join('\n').trimEnd();
      out.push(...(this.structured ? [block] : splitLongParagraph(block)));
    }
    this.lines = [];
    this.heldBlanks = [];
    this.inList = false;
    this.structured = false;
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

/**
 * Splits paragraph text into pieces of at most `limit` characters: after the last sentence end that
 * fits, else at the last whitespace, else hard at the limit. The whitespace at a split point is
 * dropped (it becomes the paragraph break); nothing else is.
 */
export function splitLongParagraph(text: string, limit = NOTION_RICH_TEXT_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const { end, next } = findSplit(rest, limit);
    pieces.push(rest.slice(0, end));
    rest = rest.slice(next);
  }
  pieces.push(rest);
  return pieces;
}

/** `end` is where the piece stops, `next` where the rest starts (after the whitespace run between them). */
function findSplit(text: string, limit: number): { end: number; next: number } {
  let lastSpace: { end: number; next: number } | undefined;
  for (let i = limit; i > 0; i--) {
    if (!isSpace(text[i]) || isSpace(text[i - 1])) continue;
    let next = i;
    while (next < text.length && isSpace(text[next])) next++;
    // The rest becomes a paragraph of its own: "1. Then…" or "# tag" there would turn it into a list or heading.
    if (startsBlockSyntax(text.slice(next, next + 12))) continue;
    if ('.!?'.includes(text[i - 1])) return { end: i, next };
    lastSpace ??= { end: i, next };
  }
  if (lastSpace) return lastSpace;
  // Never cut between the halves of a surrogate pair: each half alone is not valid text.
  const hard = isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
  return { end: hard, next: hard };
}

function isSpace(char: string | undefined): boolean {
  return char !== undefined && /\s/.test(char);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function startsBlockSyntax(text: string): boolean {
  return (
    HEADING.test(text) || LIST_ITEM.test(text) || STRUCTURE.test(text) || /^(?:```|~~~|---|\*\*\*|___)/.test(text)
  );
}

/** After blank lines, a list goes on only with another item or an indented continuation. */
function continuesList(line: string): boolean {
  return LIST_ITEM.test(line) || /^\s/.test(line);
}

function openFence(line: string): Fence | undefined {
  const match = FENCE_OPEN.exec(line);
  return match ? { indent: match[1], marker: match[2] } : undefined;
}

/** A closing fence uses the opening character at least as many times, with nothing after it. */
function closesFence(line: string, fence: Fence): boolean {
  const trimmed = line.trim();
  return trimmed.length >= fence.marker.length && trimmed === fence.marker[0].repeat(trimmed.length);
}

function openTag(line: string): OpenTag | undefined {
  const match = TAG_OPEN.exec(line);
  if (!match) return undefined;
  const name = match[1].toLowerCase();
  const depth = tagDepthChange(line, name);
  return depth > 0 ? { name, depth } : undefined;
}

/** Opening minus closing tags of one name on a line; self-closing tags count as neither. */
function tagDepthChange(line: string, name: string): number {
  const opens = line.match(new RegExp(`<${name}(?=[\\s>/])[^>]*>`, 'gi')) ?? [];
  const closes = line.match(new RegExp(`</${name}\\s*>`, 'gi')) ?? [];
  return opens.filter((tag) => !tag.endsWith('/>')).length - closes.length;
}

type Run = 'none' | 'paragraph' | 'list' | 'quote' | 'table';

/**
 * How many blocks a piece of Notion-flavoured markdown makes at the top of the page: one per paragraph,
 * heading, list item, to-do, quote, code block, table, divider and tag block (`<toggle>`, `<callout>`…);
 * what is nested inside one of them (a sub-list, a table's rows, a toggle's children) belongs to it. This is
 * the number a person sees in Notion, where a 3-item list is 3 blocks.
 */
export function countNotionBlocks(markdown: string): number {
  let count = 0;
  let run: Run = 'none';
  let afterBlank = true;
  let listIndent = 0;
  let fence: Fence | undefined;
  let tag: OpenTag | undefined;
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (fence) {
      if (closesFence(line, fence)) fence = undefined;
      continue;
    }
    if (tag) {
      tag.depth += tagDepthChange(line, tag.name);
      if (tag.depth <= 0) tag = undefined;
      continue;
    }
    if (BLANK.test(line)) {
      afterBlank = true;
      if (run !== 'list') run = 'none';
      continue;
    }
    const indent = /^\s*/.exec(line)![0].length;
    const wasBlank = afterBlank;
    afterBlank = false;
    // Inside a list, deeper lines are the item's own: its text, sub-items, code.
    if (run === 'list' && indent > listIndent) {
      fence = openFence(line);
      continue;
    }
    if (FENCE_OPEN.test(line)) {
      fence = openFence(line);
      run = 'none';
    } else if (TAG_OPEN.test(line)) {
      tag = openTag(line);
      run = 'none';
    } else if (run === 'paragraph' && /^ {0,3}(?:=+|-+)[ \t]*$/.test(line)) {
      // A setext underline turns the paragraph above into a heading: still one block.
      run = 'none';
      continue;
    } else if (HEADING.test(line) || THEMATIC_BREAK.test(line)) {
      run = 'none';
    } else if (LIST_ITEM.test(line)) {
      if (run !== 'list') listIndent = indent;
      run = 'list';
      listIndent = Math.min(listIndent, indent);
    } else if (/^\s*>/.test(line)) {
      if (run === 'quote') continue;
      run = 'quote';
    } else if (/^\s*\|/.test(line)) {
      if (run === 'table') continue;
      run = 'table';
    } else {
      // Text: goes on the paragraph, quote or list item above unless a blank line came between.
      if (!wasBlank && (run === 'paragraph' || run === 'quote' || run === 'list')) continue;
      run = 'paragraph';
    }
    count++;
  }
  return count;
}

