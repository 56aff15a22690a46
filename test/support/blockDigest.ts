import type { BlockObjectResponse } from '@notionhq/client';
import type { BlockNode } from '../../src/services/notion/blockTree';

/**
 * A compact, comparable shape of Notion blocks, made the same way from the converter's requests
 * (`digestNodes`) and from blocks read back from Notion or its stand-in (`digestStored`).
 *
 * `text` renders rich text in one markdown-like notation, neighbouring items with equal formatting joined
 * first (so where long text was cut into items does not show):
 * - `**bold**`, `*italic*`, `~~strike~~`, `` `code` `` (nested in that order, code innermost),
 *   `[text](url)` for links (outermost), `$$expression$$` for inline equations;
 * - in plain text, and inside every marker, the characters `\ * ~ ` [ ] $` are escaped with a backslash, so
 *   the notation is unambiguous: `C:\Users` reads `C:\\Users`, `$5` reads `\$5`; in a link URL `\` and `)`
 *   are escaped.
 * Code blocks (`text` is the code, verbatim) and equations (`expression`) are not rendered. Images carry
 * their caption as `text`. Tables list every row's cells, header first, in `cells`. Empty keys are omitted.
 */
export type Digest = {
  type: string;
  text?: string;
  checked?: boolean;
  language?: string;
  expression?: string;
  url?: string;
  cells?: string[][];
  children?: Digest[];
};

/** A block read back from Notion, with its children read too. */
export type StoredTree = BlockObjectResponse & { children: StoredTree[] };

/** One rich text item in either form: the request's (annotations optional) or the response's. */
type AnyRichText = {
  type?: string;
  text?: { content: string; link?: { url: string } | null };
  equation?: { expression: string };
  annotations?: { bold?: boolean; italic?: boolean; strikethrough?: boolean; code?: boolean };
  href?: string | null;
  plain_text?: string;
};

type Piece = { equation?: string; text: string; bold: boolean; italic: boolean; strike: boolean; code: boolean; link?: string };

const ESCAPE = /[\\*~`[\]$]/g;

function escape(text: string): string {
  return text.replace(ESCAPE, (char) => `\\${char}`);
}

function pieces(items: readonly AnyRichText[]): Piece[] {
  const out: Piece[] = [];
  for (const item of items) {
    const a = item.annotations ?? {};
    const piece: Piece = item.equation
      ? { equation: item.equation.expression, text: '', bold: false, italic: false, strike: false, code: false }
      : {
          text: item.text?.content ?? item.plain_text ?? '',
          bold: !!a.bold,
          italic: !!a.italic,
          strike: !!a.strikethrough,
          code: !!a.code,
          link: item.text?.link?.url ?? undefined,
        };
    const last = out[out.length - 1];
    if (
      last &&
      last.equation === undefined &&
      piece.equation === undefined &&
      last.bold === piece.bold &&
      last.italic === piece.italic &&
      last.strike === piece.strike &&
      last.code === piece.code &&
      last.link === piece.link
    ) {
      last.text += piece.text;
    } else {
      out.push(piece);
    }
  }
  return out;
}

/** Rich text in the digest notation (see the file comment). */
function renderRichText(items: readonly AnyRichText[]): string {
  return pieces(items)
    .map((piece) => {
      if (piece.equation !== undefined) return `$$${escape(piece.equation)}$$`;
      let text = escape(piece.text);
      if (piece.code) text = `\`${text}\``;
      if (piece.strike) text = `~~${text}~~`;
      if (piece.italic) text = `*${text}*`;
      if (piece.bold) text = `**${text}**`;
      if (piece.link) text = `[${text}](${piece.link.replace(/[\\)]/g, (char) => `\\${char}`)})`;
      return text;
    })
    .join('');
}

function plain(items: readonly AnyRichText[]): string {
  return items.map((item) => item.text?.content ?? item.plain_text ?? '').join('');
}

type Payload = {
  rich_text?: AnyRichText[];
  checked?: boolean;
  language?: string;
  expression?: string;
  caption?: AnyRichText[];
  type?: string;
  external?: { url: string };
  file?: { url: string };
  cells?: AnyRichText[][];
};

/** Digest of one block from its type, payload and already-digested children. */
function digestOne(type: string, payload: Payload, children: Digest[]): Digest {
  const digest: Digest = { type };
  if (type === 'code') {
    digest.text = plain(payload.rich_text ?? []);
    digest.language = payload.language;
  } else if (type === 'equation') {
    digest.expression = payload.expression;
  } else if (type === 'image') {
    digest.url = payload.external?.url ?? payload.file?.url;
    const caption = renderRichText(payload.caption ?? []);
    if (caption) digest.text = caption;
  } else if (type === 'table') {
    digest.cells = children.flatMap((row) => row.cells ?? []);
    return digest;
  } else if (type === 'table_row') {
    // A row on its own reads as a one-row table; the table gathers its rows' cells.
    digest.cells = [(payload.cells ?? []).map(renderRichText)];
  } else if (payload.rich_text) {
    const text = renderRichText(payload.rich_text);
    if (text) digest.text = text;
  }
  if (typeof payload.checked === 'boolean') digest.checked = payload.checked;
  if (children.length > 0) digest.children = children;
  return digest;
}

/** Digests of the converter's block requests. */
export function digestNodes(nodes: readonly BlockNode[]): Digest[] {
  return nodes.map((node) => {
    const block = node.block as unknown as Record<string, Payload> & { type: string };
    return digestOne(block.type, block[block.type] ?? {}, digestNodes(node.children));
  });
}

/** Digests of blocks read back from Notion (each with its `children` read too). */
export function digestStored(blocks: readonly StoredTree[]): Digest[] {
  return blocks.map((block) => {
    const payload = (block as unknown as Record<string, Payload>)[block.type] ?? {};
    return digestOne(block.type, payload, digestStored(block.children ?? []));
  });
}
