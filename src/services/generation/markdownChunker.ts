/**
 * Cuts streamed model output into complete top-level markdown blocks, so the page writer can convert and
 * send finished blocks while the model is still writing.
 *
 * Work is line-based: a line is only looked at once its newline has arrived (or at `end()`), so where
 * blocks are cut depends on the text alone, never on how the stream happened to be split into pieces.
 * Cuts are made only at blank lines (and around headings and thematic breaks), and never where converting
 * the pieces apart would differ from converting the text whole: inside a code fence or `$$` math, a list,
 * indented code, an HTML block, a `<details>`-style tag block, or between a setext heading and its text.
 */

/** Notion's per-rich-text-object limit; longer paragraphs are rejected by the API. */
export const NOTION_RICH_TEXT_LIMIT = 2000;

type Fence = { readonly indent: string; readonly marker: string };
type OpenTag = { readonly name: string; depth: number };

const BLANK = /^\s*$/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const FENCE_OPEN = /^(\s*)(`{3,}(?=[^`]*$)|~{3,}|\${2,}(?=[^$]*$))/;
/** A setext underline: turns the paragraph above into a heading, so it must stay with it. */
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
/** An indented code line (at the start of a block). */
const INDENTED_CODE = /^(?: {4}|\t)/;
/** A footnote definition: like a list item, its indented continuation may follow blank lines. */
const FOOTNOTE_DEFINITION = /^ {0,3}\[\^[^\]\s]+\]:/;
/** Any HTML block start: until its blank line, headings and rules inside it are HTML text. */
const HTML_START = /^ {0,3}<[/!?a-zA-Z]/;
/** HTML blocks that run across blank lines until their end marker (CommonMark kinds 1 to 5). */
const RAW_HTML: readonly { open: RegExp; close: RegExp }[] = [
  { open: /^ {0,3}<(?:script|pre|style|textarea)(?=[\s>]|$)/i, close: /<\/(?:script|pre|style|textarea)>/i },
  { open: /^ {0,3}<!--/, close: /-->/ },
  { open: /^ {0,3}<\?/, close: /\?>/ },
  { open: /^ {0,3}<![a-zA-Z]/, close: />/ },
  { open: /^ {0,3}<!\[CDATA\[/, close: /\]\]>/ },
];
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
  /** The open block is indented code: blank lines inside it are held like a list's. */
  private indentedCode = false;
  /** The open block holds an HTML block, which only a blank line ends. */
  private inHtml = false;
  /** The end marker of a raw HTML block (comment, `<pre>`…) still open. */
  private rawHtmlEnd: RegExp | undefined;

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
    if (this.rawHtmlEnd) return this.takeRawHtmlLine(line, this.rawHtmlEnd);
    if (BLANK.test(line)) return this.takeBlankLine(line, out);
    if (this.heldBlanks.length > 0 && !this.continuesAfterBlank(line)) this.flush(out);
    if (this.lines.length > 0 && !this.inList && SETEXT_UNDERLINE.test(line)) {
      // "Title\n---" is one heading, not a paragraph and a divider.
      const paragraph = !this.structured && !this.indentedCode && !this.inHtml;
      this.append(line);
      if (paragraph) this.flush(out);
      return;
    }
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

  /** Inside a raw HTML block everything up to its end marker is its own, blank lines too. */
  private takeRawHtmlLine(line: string, end: RegExp): void {
    this.lines.push(...this.heldBlanks, line);
    this.heldBlanks = [];
    if (end.test(line)) this.rawHtmlEnd = undefined;
  }

  private takeBlankLine(line: string, out: string[]): void {
    if (this.lines.length === 0) return;
    if (this.inList || this.indentedCode) this.heldBlanks.push(line);
    else this.flush(out);
  }

  /** After blank lines a list goes on with an item or indented text, indented code with indented lines. */
  private continuesAfterBlank(line: string): boolean {
    return this.inList ? continuesList(line) : INDENTED_CODE.test(line);
  }

  /** Headings and thematic breaks stand alone; inside a list only unindented ones end it; in HTML none. */
  private startsStandaloneBlock(line: string): boolean {
    if (this.inHtml) return false;
    if (this.inList && /^\s/.test(line)) return false;
    return HEADING.test(line) || THEMATIC_BREAK.test(line);
  }

  private append(line: string): void {
    if (this.lines.length === 0 && !this.inList && INDENTED_CODE.test(line)) this.indentedCode = true;
    this.lines.push(...this.heldBlanks, line);
    this.heldBlanks = [];
    if (LIST_ITEM.test(line) || FOOTNOTE_DEFINITION.test(line)) this.inList = true;
    if (HTML_START.test(line)) this.inHtml = true;
    this.fence = openFence(line);
    this.tag = openTag(line);
    if (!this.fence && !this.tag) this.rawHtmlEnd = openRawHtml(line);
    if (this.inList || this.fence || this.tag || this.indentedCode || STRUCTURE.test(line)) this.structured = true;
  }

  private flush(out: string[]): void {
    // Long paragraphs stay whole: the converter cuts their text into rich text items of Notion's size.
    if (this.lines.length > 0) out.push(this.lines.join('\n').trimEnd());
    this.lines = [];
    this.heldBlanks = [];
    this.inList = false;
    this.structured = false;
    this.indentedCode = false;
    this.inHtml = false;
    this.rawHtmlEnd = undefined;
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

/** The end marker of a raw HTML block opened on this line and not closed on it. */
function openRawHtml(line: string): RegExp | undefined {
  const kind = RAW_HTML.find((candidate) => candidate.open.test(line));
  if (!kind) return undefined;
  const opened = kind.open.exec(line)!;
  return kind.close.test(line.slice(opened.index + opened[0].length)) ? undefined : kind.close;
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
