// Content model of the Notion stand-in: stored blocks, rich text items, ids, users and timestamps, and the
// conversion of a stored block to the SDK's BlockObjectResponse.
import { randomUUID } from 'node:crypto';
import type { AnnotationResponse, BlockObjectResponse, RichTextItemResponse } from '@notionhq/client';

/** The integration's bot user: creator and last editor of everything written through the API. */
export const BOT_USER_ID = '9b1d6e2a-6f1e-4a8e-9d61-1f3c0d7b5e42';
/** A person in the workspace, for edits made "in the Notion app" (`editBlockAsUser`). */
export const PERSON_USER_ID = '3c7e2f1a-8b4d-4c2e-9f6a-5d1b0e7c9a13';
/** The person behind a personal access token (the stand-in's PAT mode): creator and last editor of what it writes. */
export const PAT_USER_ID = 'a1d4c0de-1815-4a0b-9c3e-2b7f5e8d6c41';

/**
 * Who the request's token acts as. An internal integration acts as its bot and sees only the pages shared with
 * it; a personal access token "acts as the user who created it", sees what that person can open, and needs no
 * sharing through Add connections (developers.notion.com, "Personal access tokens": Permissions and content
 * access). Set for the duration of one route, which runs synchronously.
 */
export interface Actor {
  readonly kind: 'bot' | 'person';
  readonly id: string;
}

export const BOT_ACTOR: Actor = { kind: 'bot', id: BOT_USER_ID };
let currentActor: Actor = BOT_ACTOR;

export const actor = (): Actor => currentActor;

export function actingAs<T>(who: Actor, run: () => T): T {
  const before = currentActor;
  currentActor = who;
  try {
    return run();
  } finally {
    currentActor = before;
  }
}

export interface StoredBlock {
  id: string;
  type: string;
  /** The type-named payload exactly as the API returns it (without `children`). */
  data: Record<string, unknown>;
  /** Children in order, trashed ones included (they keep their place so a restore puts them back). */
  children: StoredBlock[];
  createdTime: string;
  lastEditedTime: string;
  createdBy: string;
  lastEditedBy: string;
  /** In the trash: kept in its parent's list, hidden from reads, restorable with `in_trash: false`. */
  inTrash?: boolean;
}

/** Thrown for request bodies Notion would reject with 400 validation_error. */
export class ValidationError extends Error {}

export const MAX_TEXT = 2000;
export const MAX_ARRAY = 100;

/**
 * Notion's clock in the stand-ins of this process: the local clock, off by `skewMs` when a test sets it (a
 * machine whose clock is not Notion's). Block times and the `Date` header of every answer follow it.
 */
export const standInClock = { skewMs: 0 };

/** Notion's time now, in ms since the epoch. */
export const notionNow = (): number => Date.now() + standInClock.skewMs;

/**
 * Notion stores and returns `created_time`/`last_edited_time` rounded down to the minute
 * (developers.notion.com/reference/block: "last_edited_time … rounded to the nearest minute"; observed as `…:00.000Z`).
 */
export function minuteNow(): string {
  const t = new Date(notionNow());
  t.setUTCSeconds(0, 0);
  return t.toISOString();
}

export function newBlock(type: string, data: Record<string, unknown>, children: StoredBlock[] = [], by = actor().id): StoredBlock {
  const now = minuteNow();
  return { id: randomUUID(), type, data, children, createdTime: now, lastEditedTime: now, createdBy: by, lastEditedBy: by };
}

export const liveChildren = (blocks: StoredBlock[]): StoredBlock[] => blocks.filter((b) => !b.inTrash);

// ---------------------------------------------------------------------------------------------------------------
// Rich text

export type Marks = Pick<AnnotationResponse, 'bold' | 'italic' | 'strikethrough' | 'underline' | 'code' | 'color'> & {
  link: string | null;
};
export const NO_MARKS: Marks = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: 'default',
  link: null,
};

export function textItem(content: string, marks: Partial<Marks> = {}, extra: Partial<AnnotationResponse> = {}): RichTextItemResponse {
  const m = { ...NO_MARKS, ...marks };
  return {
    type: 'text',
    text: { content, link: m.link ? { url: m.link } : null },
    annotations: {
      bold: m.bold,
      italic: m.italic,
      strikethrough: m.strikethrough,
      underline: m.underline,
      code: m.code,
      color: m.color,
      ...extra,
    },
    plain_text: content,
    href: m.link,
  };
}

export function equationItem(expression: string, marks: Partial<Marks> = {}): RichTextItemResponse {
  const base = textItem(expression, { ...marks, link: null });
  return { type: 'equation', equation: { expression }, annotations: base.annotations, plain_text: expression, href: null };
}

function sameFormatting(a: RichTextItemResponse, b: RichTextItemResponse): boolean {
  return a.type === 'text' && b.type === 'text' && a.href === b.href && JSON.stringify(a.annotations) === JSON.stringify(b.annotations);
}

/** Merges adjacent runs with equal formatting, then splits runs over 2000 chars the way Notion stores them. */
export function normalizeRichText(items: RichTextItemResponse[]): RichTextItemResponse[] {
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

export const plainText = (items: unknown): string =>
  Array.isArray(items) ? (items as RichTextItemResponse[]).map((i) => i.plain_text).join('') : '';

/** The type payload of a rich-text block, with the per-type defaults Notion returns. */
export function richBlock(type: string, richText: RichTextItemResponse[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const data: Record<string, unknown> = { rich_text: normalizeRichText(richText), color: 'default', ...extra };
  if (type === 'paragraph') data.icon ??= null;
  if (type.startsWith('heading_')) data.is_toggleable ??= false;
  return data;
}

// ---------------------------------------------------------------------------------------------------------------
// Ids

export function formatId(hex32: string): string {
  const h = hex32.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Pulls the 32-hex id out of a notion.so URL (the last one in the path, as Notion puts it after the slug). */
export function idFromNotionUrl(url: string): string | undefined {
  const hex = url.replace(/-/g, '').match(/[0-9a-f]{32}/gi);
  return hex ? formatId(hex[hex.length - 1]) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Stored block -> API response

export type BlockParent = { type: 'page_id'; page_id: string } | { type: 'block_id'; block_id: string };

export function blockResponse(block: StoredBlock, parent: BlockParent, inTrash = !!block.inTrash): BlockObjectResponse {
  // One cast at the boundary: the payload was built per type, the union can't be narrowed from a string.
  return {
    object: 'block',
    id: block.id,
    parent,
    created_time: block.createdTime,
    last_edited_time: block.lastEditedTime,
    created_by: { object: 'user', id: block.createdBy },
    last_edited_by: { object: 'user', id: block.lastEditedBy },
    has_children: liveChildren(block.children).length > 0,
    in_trash: inTrash,
    // 2026-03-11 renamed `archived` to `in_trash` in responses too (upgrade guide 2026-03-11, step 2).
    type: block.type,
    [block.type]: block.data,
  } as unknown as BlockObjectResponse;
}

// ---------------------------------------------------------------------------------------------------------------
// Code languages: the SDK's `LanguageRequest` union (api-endpoints/common.d.ts), the only values Notion accepts.

export type LanguageRequest = import('@notionhq/client').CodeBlockObjectResponse['code']['language'];

export const LANGUAGES: readonly LanguageRequest[] = [
  'abap',
  'abc',
  'agda',
  'arduino',
  'ascii art',
  'assembly',
  'bash',
  'basic',
  'bnf',
  'c',
  'c#',
  'c++',
  'clojure',
  'coffeescript',
  'coq',
  'css',
  'dart',
  'dhall',
  'diff',
  'docker',
  'ebnf',
  'elixir',
  'elm',
  'erlang',
  'f#',
  'flow',
  'fortran',
  'gherkin',
  'glsl',
  'go',
  'graphql',
  'groovy',
  'haskell',
  'hcl',
  'html',
  'idris',
  'java',
  'javascript',
  'json',
  'julia',
  'kotlin',
  'latex',
  'less',
  'lisp',
  'livescript',
  'llvm ir',
  'lua',
  'makefile',
  'markdown',
  'markup',
  'matlab',
  'mathematica',
  'mermaid',
  'nix',
  'notion formula',
  'objective-c',
  'ocaml',
  'pascal',
  'perl',
  'php',
  'plain text',
  'powershell',
  'prolog',
  'protobuf',
  'purescript',
  'python',
  'r',
  'racket',
  'reason',
  'ruby',
  'rust',
  'sass',
  'scala',
  'scheme',
  'scss',
  'shell',
  'smalltalk',
  'solidity',
  'sql',
  'swift',
  'toml',
  'typescript',
  'vb.net',
  'verilog',
  'vhdl',
  'visual basic',
  'webassembly',
  'xml',
  'yaml',
  'java/c/c++/c#',
];

export const isLanguage = (value: unknown): value is LanguageRequest =>
  typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
