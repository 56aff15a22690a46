// Block request JSON -> stored blocks, validated as Notion validates it (Append block children, Create a page
// `children`, Update a block). Messages follow Notion's schema-validation wording:
// "body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`."
//
// Limits (developers.notion.com/reference/request-limits, "Size limits"): text.content ≤ 2000, text.link.url ≤ 2000,
// equation.expression ≤ 1000, any array of rich text ≤ 100 items, any URL ≤ 2000; "payloads have a maximum size of
// 1000 block elements and 500KB overall". reference/patch-block-children: ≤ 100 children per array and "a maximum of
// two levels of nesting in a single request". Code languages: the SDK's LanguageRequest union (no aliases).
import type { AnnotationResponse, RichTextItemResponse } from '@notionhq/client';
import { checkBlockKeys, checkChildrenAllowed, linkFromRequest, mentionFromRequest } from './notionValidation';
import {
  type StoredBlock,
  LANGUAGES,
  MAX_ARRAY,
  MAX_TEXT,
  ValidationError,
  equationItem,
  isLanguage,
  newBlock,
  richBlock,
  textItem,
} from './notionModel';

const KNOWN_TYPES = [
  'paragraph',
  'heading_1',
  'heading_2',
  'heading_3',
  'heading_4',
  'bulleted_list_item',
  'numbered_list_item',
  'to_do',
  'toggle',
  'quote',
  'callout',
  'code',
  'divider',
  'table',
  'table_row',
  'equation',
  'bookmark',
  'embed',
  'image',
  'video',
  'pdf',
  'file',
  'audio',
  'table_of_contents',
  'breadcrumb',
  'column_list',
  'column',
  'link_to_page',
  'synced_block',
];
const MEDIA_TYPES = ['bookmark', 'embed', 'image', 'video', 'pdf', 'file', 'audio'];

const quoteValue = (value: unknown): string => {
  const json = JSON.stringify(value) ?? 'undefined';
  return json.length > 100 ? `${json.slice(0, 97)}...` : json;
};

/** Notion's schema-validation wording: "body failed validation: body.x should be …, instead was `…`." */
export function schemaError(path: string, expectation: string): ValidationError {
  return new ValidationError(`${path.split(/[.[]/)[0]} failed validation: ${path} ${expectation}`);
}

function checkMax(path: string, actual: number, max: number): void {
  if (actual > max) throw schemaError(path, `should be ≤ \`${max}\`, instead was \`${actual}\`.`);
}

/** Absolute http(s)/mailto/tel URL, as Notion requires for links and external files. */
export function isValidUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return ['http:', 'https:', 'mailto:', 'tel:'].includes(u.protocol);
  } catch {
    return false;
  }
}

export function richTextFromRequest(value: unknown, path: string): RichTextItemResponse[] {
  if (!Array.isArray(value)) throw schemaError(path, `should be an array, instead was \`${quoteValue(value)}\`.`);
  checkMax(`${path}.length`, value.length, MAX_ARRAY);
  return value.map((raw: Record<string, any>, i) => {
    const at = `${path}[${i}]`;
    const annotations = { ...(raw?.annotations ?? {}) } as Partial<AnnotationResponse>;
    if (raw?.type === 'equation' || raw?.equation) {
      const expression = raw.equation?.expression;
      if (typeof expression !== 'string')
        throw schemaError(`${at}.equation.expression`, `should be a string, instead was \`${quoteValue(expression)}\`.`);
      checkMax(`${at}.equation.expression.length`, expression.length, 1000);
      return { ...equationItem(expression), annotations: { ...equationItem(expression).annotations, ...annotations } };
    }
    if (raw?.type === 'mention' || raw?.mention) return mentionFromRequest(raw, at);
    if (!raw?.text || typeof raw.text.content !== 'string') {
      throw schemaError(`${at}.text`, 'should be defined, instead was `undefined`.');
    }
    checkMax(`${at}.text.content.length`, raw.text.content.length, MAX_TEXT);
    const url = linkFromRequest(raw.text.link, at);
    return textItem(raw.text.content, { link: url }, annotations);
  });
}

function mediaPayload(type: string, payload: Record<string, any>, at: string): Record<string, unknown> {
  const url = type === 'bookmark' || type === 'embed' ? payload.url : payload.external?.url;
  const urlPath = type === 'bookmark' || type === 'embed' ? `${at}.${type}.url` : `${at}.${type}.external.url`;
  if (typeof url !== 'string') throw schemaError(urlPath, `should be defined, instead was \`${quoteValue(url)}\`.`);
  checkMax(`${urlPath}.length`, url.length, MAX_TEXT);
  if (!isValidUrl(url)) throw schemaError(urlPath, `should be a valid URL, instead was \`${quoteValue(url)}\`.`);
  const caption = payload.caption === undefined ? [] : richTextFromRequest(payload.caption, `${at}.${type}.caption`);
  if (type === 'bookmark' || type === 'embed') return { caption, url };
  return { caption, type: 'external', external: { url } };
}

/**
 * `parentType` is the type of the block the children go into ('page' for a page), for table_row placement;
 * `counter` counts the block elements of the whole request (the 1000-block payload limit).
 */
export function blocksFromRequest(children: unknown, path: string, parentType = 'page', depth = 1, counter = { count: 0 }): StoredBlock[] {
  if (!Array.isArray(children)) throw schemaError(path, `should be an array, instead was \`${quoteValue(children)}\`.`);
  checkMax(`${path}.length`, children.length, MAX_ARRAY);
  return children.map((raw: Record<string, any>, i) => {
    const at = `${path}[${i}]`;
    const type: string | undefined = raw?.type ?? KNOWN_TYPES.find((t) => raw && t in raw);
    if (!type || !KNOWN_TYPES.includes(type) || typeof raw[type] !== 'object' || raw[type] === null) {
      throw schemaError(at, `should be a block object with a supported type, instead was \`${quoteValue(raw)}\`.`);
    }
    checkBlockKeys(raw, type, at);
    if (++counter.count > 1000)
      throw new ValidationError(`body failed validation: the request contains more than \`1000\` block elements.`);
    const { children: nested, ...payload } = raw[type] as Record<string, any>;
    checkChildrenAllowed(type, payload, nested, at);
    if (nested !== undefined && depth >= 2) {
      throw schemaError(`${at}.${type}.children`, `should be not present, instead was \`${quoteValue(nested)}\`.`);
    }
    if (type === 'table_row' && parentType !== 'table') throw new ValidationError('Table rows can only be children of a table block.');
    let data: Record<string, unknown> = { ...payload };
    if ('rich_text' in payload) {
      const rich = richTextFromRequest(payload.rich_text, `${at}.${type}.rich_text`);
      data = richBlock(type, rich, { ...payload, rich_text: rich, color: payload.color ?? 'default' });
    }
    if (Array.isArray(payload.caption) && !MEDIA_TYPES.includes(type))
      data.caption = richTextFromRequest(payload.caption, `${at}.${type}.caption`);
    switch (type) {
      case 'code':
        if (!isLanguage(payload.language)) {
          throw schemaError(
            `${at}.code.language`,
            `should be ${LANGUAGES.map((l) => `\`"${l}"\``).join(', ')}, instead was \`${quoteValue(payload.language)}\`.`,
          );
        }
        data.caption ??= [];
        break;
      case 'to_do':
        data.checked = !!payload.checked;
        break;
      case 'equation':
        if (typeof payload.expression !== 'string')
          throw schemaError(`${at}.equation.expression`, `should be a string, instead was \`${quoteValue(payload.expression)}\`.`);
        checkMax(`${at}.equation.expression.length`, payload.expression.length, 1000);
        break;
      case 'table': {
        if (!Number.isInteger(payload.table_width))
          throw schemaError(`${at}.table.table_width`, `should be defined, instead was \`${quoteValue(payload.table_width)}\`.`);
        if (!Array.isArray(nested) || nested.length === 0)
          throw schemaError(`${at}.table.children`, `should be defined, instead was \`${quoteValue(nested)}\`.`);
        data = {
          table_width: payload.table_width,
          has_column_header: !!payload.has_column_header,
          has_row_header: !!payload.has_row_header,
        };
        break;
      }
      case 'table_row': {
        if (!Array.isArray(payload.cells))
          throw schemaError(`${at}.table_row.cells`, `should be an array, instead was \`${quoteValue(payload.cells)}\`.`);
        data = { cells: payload.cells.map((c: unknown, j: number) => richTextFromRequest(c, `${at}.table_row.cells[${j}]`)) };
        break;
      }
    }
    if (MEDIA_TYPES.includes(type)) data = mediaPayload(type, payload, at);
    const kids = nested === undefined ? [] : blocksFromRequest(nested, `${at}.${type}.children`, type, depth + 1, counter);
    if (type === 'table') {
      for (const row of kids) {
        if ((row.data.cells as unknown[]).length !== payload.table_width) {
          throw new ValidationError(`Number of cells in table row must match the table width of the parent table.`);
        }
      }
    }
    return newBlock(type, data, kids);
  });
}

/** "Payloads have a maximum size of … 500KB overall" (reference/request-limits). */
export function checkPayloadSize(body: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(body ?? {}));
  if (bytes > 500 * 1024)
    throw new ValidationError(`body failed validation: the request body is \`${bytes}\` bytes, more than the \`512000\` allowed.`);
}

/**
 * Append block children `position` (2026-03-11): `{type:"end"}` | `{type:"start"}` |
 * `{type:"after_block", after_block:{id}}`. The flat `after` was removed in 2026-03-11 (Upgrade guide 2026-03-11, step 1).
 */
export function checkPosition(body: Record<string, any>, version: string | undefined): void {
  if (body.after !== undefined && (version ?? '') >= '2026-03-11') {
    throw schemaError('body.after', `should be not present, instead was \`${quoteValue(body.after)}\`.`);
  }
  const p = body.position;
  if (p === undefined) return;
  if (!p || typeof p !== 'object' || !['end', 'start', 'after_block'].includes(p.type)) {
    throw schemaError(
      'body.position.type',
      `should be \`"after_block"\`, \`"start"\` or \`"end"\`, instead was \`${quoteValue(p?.type)}\`.`,
    );
  }
  if (p.type === 'after_block' && typeof p.after_block?.id !== 'string') {
    throw schemaError('body.position.after_block.id', `should be a string, instead was \`${quoteValue(p.after_block?.id)}\`.`);
  }
}
