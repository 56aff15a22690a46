// Request checks of the Notion stand-in where Notion refuses what a lenient stand-in would take. Each rule names
// its source. Every refusal is a 400 with `validation_error` (reference/request-limits: "A request that exceeds any
// of these limits will return "validation_error" error code (HTTP response status 400)"), worded like Notion's
// schema validation: "body failed validation: body.x should be …, instead was `…`."
import type { RichTextItemResponse } from '@notionhq/client';
import { type StoredBlock, ValidationError, textItem } from './notionModel';
import { isValidUrl, schemaError } from './notionBlockRequests';

const quote = (value: unknown): string => {
  const json = JSON.stringify(value) ?? 'undefined';
  return json.length > 100 ? `${json.slice(0, 97)}...` : json;
};

// ---- Notion-Version ---------------------------------------------------------------------------------------------

/**
 * The versions Notion has released (reference/versioning: "Our API versions are named for the date the version is
 * released"; changelog "unversioned requests no longer accepted" names 2021-05-11 and 2021-05-13; the upgrade
 * guides name 2021-08-16, 2022-02-22, 2022-06-28, 2025-09-03, 2026-03-11 and 2026-12-01). Any other value is refused.
 */
export const KNOWN_NOTION_VERSIONS = [
  '2021-05-11',
  '2021-05-13',
  '2021-08-16',
  '2022-02-22',
  '2022-06-28',
  '2025-09-03',
  '2026-03-11',
  '2026-12-01',
] as const;

/** The refusal for a `Notion-Version` header that names no released version, or undefined when it names one. */
export function unknownVersionMessage(header: string): string | undefined {
  if ((KNOWN_NOTION_VERSIONS as readonly string[]).includes(header)) return undefined;
  return `Notion-Version header failed validation: Notion-Version header should be one of ${KNOWN_NOTION_VERSIONS.map((v) => `\`"${v}"\``).join(', ')}, instead was \`${quote(header)}\`.`;
}

// ---- body keys --------------------------------------------------------------------------------------------------

/**
 * The body parameters each endpoint takes: the `bodyParams` of @notionhq/client 5.26 (build/src/api-endpoints/*.js),
 * plus `markdown_version` on the markdown writes (guide "Migrate to Notion-flavored Markdown (v2)", step 1). Notion
 * refuses any other key: "body failed validation: body.Notion-Version should be not present"
 * (makenotion/notion-mcp-server#235, a header sent in the body).
 */
const BODY_KEYS: Array<{ method: string; path: RegExp; keys: readonly string[] }> = [
  {
    method: 'POST',
    path: /^\/v1\/pages$/,
    keys: [
      'parent',
      'properties',
      'icon',
      'cover',
      'content',
      'children',
      'markdown',
      'markdown_version',
      'allow_async',
      'template',
      'position',
    ],
  },
  {
    method: 'PATCH',
    path: /^\/v1\/pages\/[^/]+$/,
    keys: ['archived', 'properties', 'icon', 'cover', 'is_locked', 'template', 'erase_content', 'in_trash', 'is_archived'],
  },
  {
    method: 'PATCH',
    path: /^\/v1\/pages\/[^/]+\/markdown$/,
    keys: ['allow_async', 'type', 'insert_content', 'replace_content_range', 'update_content', 'replace_content', 'markdown_version'],
  },
  { method: 'PATCH', path: /^\/v1\/blocks\/[^/]+\/children$/, keys: ['after', 'children', 'position'] },
  {
    method: 'PATCH',
    path: /^\/v1\/blocks\/[^/]+$/,
    keys: [
      'archived',
      'embed',
      'type',
      'in_trash',
      'bookmark',
      'image',
      'video',
      'pdf',
      'file',
      'audio',
      'code',
      'equation',
      'divider',
      'breadcrumb',
      'tab',
      'table_of_contents',
      'link_to_page',
      'table_row',
      'heading_1',
      'heading_2',
      'heading_3',
      'heading_4',
      'paragraph',
      'bulleted_list_item',
      'numbered_list_item',
      'quote',
      'to_do',
      'toggle',
      'template',
      'callout',
      'synced_block',
      'table',
      'column',
    ],
  },
  {
    method: 'POST',
    path: /^\/v1\/databases$/,
    keys: ['parent', 'title', 'description', 'is_inline', 'initial_data_source', 'icon', 'cover'],
  },
  { method: 'PATCH', path: /^\/v1\/data_sources\/[^/]+$/, keys: ['archived', 'title', 'icon', 'properties', 'in_trash', 'parent'] },
  {
    method: 'POST',
    path: /^\/v1\/data_sources\/[^/]+\/query$/,
    keys: ['archived', 'sorts', 'filter', 'start_cursor', 'page_size', 'in_trash', 'result_type'],
  },
  { method: 'POST', path: /^\/v1\/data_sources$/, keys: ['parent', 'properties', 'title', 'icon'] },
  { method: 'POST', path: /^\/v1\/search$/, keys: ['sort', 'query', 'start_cursor', 'page_size', 'filter'] },
];

/** Throws for the first top-level body key the endpoint does not take. */
export function checkBodyKeys(method: string, path: string, body: unknown): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const endpoint = BODY_KEYS.find((e) => e.method === method && e.path.test(path));
  if (!endpoint) return;
  for (const [key, value] of Object.entries(body)) {
    if (!endpoint.keys.includes(key)) throw schemaError(`body.${key}`, `should be not present, instead was \`${quote(value)}\`.`);
  }
}

// ---- children ---------------------------------------------------------------------------------------------------

/**
 * Block types whose request takes `children`: the SDK's BlockObjectRequest union (api-endpoints/common.d.ts: column,
 * headings, paragraph, list items, quote, to_do, toggle, template, callout, synced_block, table, column_list, tab).
 * Code, divider, equation, media, table_of_contents, breadcrumb, link_to_page and table_row take none.
 */
const TAKES_CHILDREN = new Set([
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
  'synced_block',
  'template',
  'column_list',
  'column',
  'table',
  'tab',
]);

/**
 * `children` in a block of request `type`. A heading takes them only as a toggle heading (reference/block,
 * "Headings": `is_toggleable` — "If true, the heading block has toggle and can support children").
 */
export function checkChildrenAllowed(type: string, payload: Record<string, unknown>, nested: unknown, at: string): void {
  if (nested === undefined) return;
  if (!TAKES_CHILDREN.has(type) || (type.startsWith('heading_') && payload.is_toggleable !== true)) {
    throw schemaError(`${at}.${type}.children`, `should be not present, instead was \`${quote(nested)}\`.`);
  }
}

/** Append block children to a stored block: only one of a type that has children can take them. */
export function checkParentTakesChildren(block: StoredBlock): void {
  if (
    block.type === 'child_page' ||
    (TAKES_CHILDREN.has(block.type) && !(block.type.startsWith('heading_') && block.data.is_toggleable !== true))
  )
    return;
  throw new ValidationError(`Block type ${block.type} does not support children.`);
}

// ---- block keys -------------------------------------------------------------------------------------------------

const MEDIA_KEYS = ['external', 'file_upload', 'type', 'caption', 'name'];
/**
 * The keys of each block type's request payload: the SDK's BlockObjectRequest union (api-endpoints/common.d.ts,
 * e.g. ParagraphWithSingleLevelOfChildrenRequest = {rich_text, color?, icon?, children?}). A block object itself
 * takes only `type`, `object` and its type's key. Notion refuses any other key as "should be not present".
 */
const PAYLOAD_KEYS: Record<string, readonly string[]> = {
  paragraph: ['rich_text', 'color', 'icon', 'children'],
  heading_1: ['rich_text', 'color', 'is_toggleable', 'children'],
  heading_2: ['rich_text', 'color', 'is_toggleable', 'children'],
  heading_3: ['rich_text', 'color', 'is_toggleable', 'children'],
  heading_4: ['rich_text', 'color', 'is_toggleable', 'children'],
  bulleted_list_item: ['rich_text', 'color', 'children'],
  numbered_list_item: ['rich_text', 'color', 'children'],
  quote: ['rich_text', 'color', 'children'],
  toggle: ['rich_text', 'color', 'children'],
  to_do: ['rich_text', 'color', 'children', 'checked'],
  template: ['rich_text', 'children'],
  callout: ['rich_text', 'color', 'children', 'icon'],
  synced_block: ['synced_from', 'children'],
  code: ['rich_text', 'language', 'caption'],
  equation: ['expression'],
  divider: [],
  breadcrumb: [],
  table_of_contents: ['color'],
  table: ['table_width', 'children', 'has_column_header', 'has_row_header'],
  table_row: ['cells'],
  bookmark: ['url', 'caption'],
  embed: ['url', 'caption'],
  image: MEDIA_KEYS,
  video: MEDIA_KEYS,
  pdf: MEDIA_KEYS,
  file: MEDIA_KEYS,
  audio: MEDIA_KEYS,
  link_to_page: ['type', 'page_id', 'database_id', 'comment_id'],
  column_list: ['children'],
  column: ['children', 'width_ratio'],
};

/** Throws for a key a block object (`raw`, of `type`) or its payload does not take. */
export function checkBlockKeys(raw: Record<string, unknown>, type: string, at: string): void {
  for (const key of Object.keys(raw)) {
    if (key !== 'type' && key !== 'object' && key !== type)
      throw schemaError(`${at}.${key}`, `should be not present, instead was \`${quote(raw[key])}\`.`);
  }
  const allowed = PAYLOAD_KEYS[type];
  const payload = raw[type] as Record<string, unknown>;
  if (!allowed) return;
  for (const key of Object.keys(payload)) {
    if (!allowed.includes(key)) throw schemaError(`${at}.${type}.${key}`, `should be not present, instead was \`${quote(payload[key])}\`.`);
  }
}

// ---- mentions ---------------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function checkId(value: unknown, path: string): void {
  if (typeof value !== 'string' || !UUID.test(value)) throw schemaError(path, `should be a valid uuid, instead was \`${quote(value)}\`.`);
}

/**
 * A mention item of a request (api-endpoints/common.d.ts MentionRichTextItemRequest; reference/rich-text, "Mention"):
 * exactly one of `user {id}`, `page {id}`, `database {id}`, `date {start, end?, time_zone?}`,
 * `template_mention {type: "template_mention_date", template_mention_date: "today"|"now"} | {type:
 * "template_mention_user", template_mention_user: "me"}` or `custom_emoji {id}`; a given `type` names that key.
 */
export function mentionFromRequest(raw: Record<string, any>, at: string): RichTextItemResponse {
  const mention = raw.mention;
  if (!mention || typeof mention !== 'object')
    throw schemaError(`${at}.mention`, `should be an object, instead was \`${quote(mention)}\`.`);
  const kinds = ['user', 'page', 'database', 'date', 'template_mention', 'custom_emoji'].filter((k) => k in mention);
  if (kinds.length !== 1 || (mention.type !== undefined && mention.type !== kinds[0])) {
    throw schemaError(
      `${at}.mention`,
      `should have exactly one of \`user\`, \`page\`, \`database\`, \`date\`, \`template_mention\` or \`custom_emoji\`, instead was \`${quote(mention)}\`.`,
    );
  }
  const kind = kinds[0];
  const value = mention[kind];
  const path = `${at}.mention.${kind}`;
  switch (kind) {
    case 'user':
    case 'page':
    case 'database':
    case 'custom_emoji':
      checkId(value?.id, `${path}.id`);
      break;
    case 'date':
      checkDateValue(value, path);
      break;
    case 'template_mention': {
      const ok =
        (value?.type === 'template_mention_date' && ['today', 'now'].includes(value.template_mention_date)) ||
        (value?.type === 'template_mention_user' && value.template_mention_user === 'me');
      if (!ok) throw schemaError(path, `should be a template mention of \`today\`, \`now\` or \`me\`, instead was \`${quote(value)}\`.`);
      break;
    }
  }
  const text =
    kind === 'date'
      ? String(value.start)
      : kind === 'template_mention'
        ? `@${value.template_mention_date ?? value.template_mention_user}`
        : `@${kind}`;
  const { annotations } = textItem(text, {}, raw.annotations ?? {});
  return {
    type: 'mention',
    mention: { type: kind, [kind]: value },
    annotations,
    plain_text: text,
    href: null,
  } as unknown as RichTextItemResponse;
}

// ---- links ------------------------------------------------------------------------------------------------------

/**
 * `text.link` of a request: null, or `{url}` with a string URL of at most 2000 characters (reference/request-limits,
 * "text.link.url 2000 characters") that is absolute http(s), mailto or tel; Notion answers anything else "Invalid URL
 * for link." (400 validation_error). Returns the URL or null.
 */
export function linkFromRequest(link: unknown, at: string): string | null {
  if (link === undefined || link === null) return null;
  const url = (link as { url?: unknown }).url;
  if (typeof link !== 'object' || typeof url !== 'string')
    throw schemaError(`${at}.text.link.url`, `should be a string, instead was \`${quote(url)}\`.`);
  if (url.length > 2000) throw schemaError(`${at}.text.link.url.length`, `should be ≤ \`2000\`, instead was \`${url.length}\`.`);
  if (!isValidUrl(url)) throw new ValidationError('Invalid URL for link.');
  return url;
}

// ---- property values --------------------------------------------------------------------------------------------

/**
 * ISO 8601 as Notion reads dates (reference/page-property-values, "Date": "start — An ISO 8601 format date, with
 * optional time"): YYYY-MM-DD, optionally THH:MM[:SS[.sss]] and Z or ±HH:MM, every field within its range.
 */
function isIsoDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = [31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59))) return false;
  return m[8] === undefined || (Number(m[8]) <= 23 && Number(m[9]) <= 59);
}

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function checkDateValue(value: unknown, path: string): void {
  const date = value as { start?: unknown; end?: unknown; time_zone?: unknown } | null;
  if (!date || typeof date !== 'object') throw schemaError(path, `should be an object, instead was \`${quote(value)}\`.`);
  if (!isIsoDate(date.start))
    throw schemaError(`${path}.start`, `should be a valid ISO 8601 date string, instead was \`${quote(date.start)}\`.`);
  if (date.end !== undefined && date.end !== null && !isIsoDate(date.end))
    throw schemaError(`${path}.end`, `should be a valid ISO 8601 date string, instead was \`${quote(date.end)}\`.`);
  if (date.time_zone !== undefined && date.time_zone !== null && typeof date.time_zone !== 'string') {
    throw schemaError(`${path}.time_zone`, `should be a string, instead was \`${quote(date.time_zone)}\`.`);
  }
}

/**
 * Select and multi-select options: `{name}` or `{id}`. "Commas (",") are not valid for select values"
 * (reference/property-object, "Select"); option names are at most 100 characters (Notion's 400 for longer ones,
 * dvanoni/notero#451 "Notion imposes a limit of 100 characters for the names of select and multi-select options").
 */
function checkOption(option: unknown, path: string): void {
  const o = option as { name?: unknown; id?: unknown } | null;
  if (!o || typeof o !== 'object' || (o.name === undefined && o.id === undefined))
    throw schemaError(path, `should be an object with \`name\` or \`id\`, instead was \`${quote(option)}\`.`);
  if (o.name === undefined) return;
  if (typeof o.name !== 'string') throw schemaError(`${path}.name`, `should be a string, instead was \`${quote(o.name)}\`.`);
  if (o.name.length > 100) throw schemaError(`${path}.name.length`, `should be ≤ \`100\`, instead was \`${o.name.length}\`.`);
  if (o.name.includes(',')) throw new ValidationError(`Invalid select option, commas not allowed: ${o.name}`);
}

function checkLength(value: unknown, path: string, max: number): void {
  if (value === null) return;
  if (typeof value !== 'string') throw schemaError(path, `should be a string or \`null\`, instead was \`${quote(value)}\`.`);
  if (value.length > max) throw schemaError(`${path}.length`, `should be ≤ \`${max}\`, instead was \`${value.length}\`.`);
}

/**
 * A property value of a request for a property of `type` (reference/page-property-values; limits from
 * reference/request-limits, "Property value limits": any URL 2000 characters, any email 200, any phone number 200,
 * any multi-select 100 options, any relation 100 pages, any people 100 users). `path` ends at the property name.
 */
export function checkPropertyValue(type: string, value: Record<string, unknown>, path: string): void {
  const raw = value[type];
  const at = `${path}.${type}`;
  if (raw === undefined) throw schemaError(at, 'should be defined, instead was `undefined`.');
  switch (type) {
    case 'number':
      // JSON carries no NaN or Infinity (JSON.stringify sends them as null); a string is not a number.
      if (raw !== null && (typeof raw !== 'number' || !Number.isFinite(raw)))
        throw schemaError(at, `should be a number or \`null\`, instead was \`${quote(raw)}\`.`);
      break;
    case 'checkbox':
      if (typeof raw !== 'boolean') throw schemaError(at, `should be a boolean, instead was \`${quote(raw)}\`.`);
      break;
    case 'select':
    case 'status':
      if (raw !== null) checkOption(raw, at);
      break;
    case 'multi_select':
    case 'relation':
    case 'people':
      if (!Array.isArray(raw)) throw schemaError(at, `should be an array, instead was \`${quote(raw)}\`.`);
      if (raw.length > 100) throw schemaError(`${at}.length`, `should be ≤ \`100\`, instead was \`${raw.length}\`.`);
      if (type === 'multi_select') raw.forEach((o, i) => checkOption(o, `${at}[${i}]`));
      break;
    case 'date':
      if (raw !== null) checkDateValue(raw, at);
      break;
    case 'url':
      checkLength(raw, at, 2000);
      break;
    case 'email':
    case 'phone_number':
      checkLength(raw, at, 200);
      break;
  }
}

// ---- rate limits ------------------------------------------------------------------------------------------------

/**
 * Retry-After of a 429 (reference/request-limits: "respecting the Retry-After response header value, which is set as
 * an integer number of seconds (in decimal). Requests made after waiting this minimum amount of time should no
 * longer be rate limited."). The stand-in takes whole seconds from 0 to 60.
 */
export function checkRetryAfter(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 60)
    throw new Error(`Retry-After must be a whole number of seconds from 0 to 60, not ${seconds}`);
  return seconds;
}
