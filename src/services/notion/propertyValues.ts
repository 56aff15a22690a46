import * as l10n from '@vscode/l10n';
import type { JsonSchema } from '../engines/engine';
import { PropertyValueError } from './propertyValueError';
import { RICH_TEXT_ITEM_LIMIT, RICH_TEXT_ITEMS_PER_ARRAY, URL_LIMIT, splitText, truncateText } from './richText';

/** The property types Visen can fill, with the schema a property of that type has in a data source. */
export type FillableType =
  'title' | 'rich_text' | 'number' | 'select' | 'multi_select' | 'status' | 'date' | 'checkbox' | 'url' | 'email' | 'phone_number';

export const FILLABLE_TYPES: readonly FillableType[] = [
  'title',
  'rich_text',
  'number',
  'select',
  'multi_select',
  'status',
  'date',
  'checkbox',
  'url',
  'email',
  'phone_number',
];

export interface PropertySchema {
  readonly name: string;
  readonly type: string;
  /** Option names of select, multi-select and status properties. */
  readonly options?: string[];
}

// A module of its own: the one class every bundle shares (dist/shared.js), without the rest of this module.
export { PropertyValueError };

/** Notion's limits for property values (developers.notion.com/reference/request-limits, "Size limits"). */
const EMAIL_LIMIT = 200;
const PHONE_LIMIT = 200;
const MULTI_SELECT_LIMIT = 100;
/** An option name: at most 100 characters and no comma (Notion refuses both, 400 validation_error). */
const OPTION_NAME_LIMIT = 100;

/**
 * Text as rich text items of at most 2,000 characters (and at most 100 of them), nothing else lost: a piece
 * ends at a space where it can, and never between the two halves of an emoji.
 */
function richText(text: string): Array<{ type: 'text'; text: { content: string } }> {
  if (text === '') return [];
  return splitText(text, RICH_TEXT_ITEM_LIMIT)
    .slice(0, RICH_TEXT_ITEMS_PER_ARRAY)
    .map((content) => ({ type: 'text', text: { content } }));
}

export interface CoerceOptions {
  /** A select value that is not an option yet is created (Notion does that on write) only when allowed. */
  readonly allowNewOptions: boolean;
}

/**
 * Turns what the model wrote (text, or a JSON value from structured output) into the request value of a
 * property of the given type. Throws PropertyValueError saying why when it cannot.
 */
export function coerceProperty(property: PropertySchema, raw: unknown, options: CoerceOptions): Record<string, unknown> {
  const text = (Array.isArray(raw) ? raw.join(', ') : raw === null || raw === undefined ? '' : String(raw)).trim();
  switch (property.type) {
    case 'title':
      return { title: richText(text) };
    case 'rich_text':
      return { rich_text: richText(text) };
    case 'number': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return { number: raw };
      const match = /-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?/i.exec(text);
      const number = match ? Number(match[0].replace(/,/g, '')) : NaN;
      // 1e999 is Infinity, which JSON sends as null: that would empty the cell instead of filling it.
      if (!Number.isFinite(number)) throw new PropertyValueError(l10n.t('"{0}" is not a number.', text.slice(0, 60)));
      return { number };
    }
    case 'checkbox': {
      if (typeof raw === 'boolean') return { checkbox: raw };
      if (/^(yes|true|y|1|✓|✔|x|checked|done)\.?$/i.test(text)) return { checkbox: true };
      if (/^(no|false|n|0|unchecked|not done|)\.?$/i.test(text)) return { checkbox: false };
      throw new PropertyValueError(l10n.t('"{0}" is neither yes nor no.', text.slice(0, 60)));
    }
    case 'select':
    case 'status': {
      const name = matchOption(property, stripQuotes(text.split('\n')[0]), options, property.type === 'status');
      return { [property.type]: name ? { name } : null };
    }
    case 'multi_select': {
      const names = (Array.isArray(raw) ? raw.map(String) : text.split(/[,\n;]/))
        .map((n) => stripQuotes(n.trim().replace(/^[-*•]\s*/, '')))
        .filter(Boolean)
        .map((n) => matchOption(property, n, options, false)!)
        .filter((n, i, all) => all.indexOf(n) === i)
        .slice(0, MULTI_SELECT_LIMIT);
      return { multi_select: names.map((name) => ({ name })) };
    }
    case 'date': {
      const found = /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/.exec(text)?.[0];
      // Notion refuses a date that is not on the calendar (2024-02-30, 25:00), as ISO 8601 does.
      const iso = found && isCalendarDate(found) ? found : undefined;
      const parsed = iso ?? (found || Number.isNaN(Date.parse(text)) ? undefined : new Date(Date.parse(text)).toISOString().slice(0, 10));
      if (!parsed) throw new PropertyValueError(l10n.t('"{0}" is not a date.', text.slice(0, 60)));
      return { date: { start: parsed } };
    }
    case 'url': {
      const url = /https?:\/\/[^\s<>"')\]]+/.exec(text)?.[0];
      if (!url) throw new PropertyValueError(l10n.t('"{0}" is not a link.', text.slice(0, 60)));
      return { url: truncateText(url, URL_LIMIT) };
    }
    case 'email': {
      const email = /[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"'.]+/.exec(text)?.[0];
      if (!email) throw new PropertyValueError(l10n.t('"{0}" is not an email address.', text.slice(0, 60)));
      return { email: truncateText(email, EMAIL_LIMIT) };
    }
    case 'phone_number':
      return { phone_number: truncateText(text, PHONE_LIMIT) };
    default:
      throw new PropertyValueError(l10n.t('Visen cannot fill {0} properties.', property.type));
  }
}

/** `YYYY-MM-DD` with an optional time, every field within its range (the day within its month). */
function isCalendarDate(iso: string): boolean {
  const [, y, m, d, hh, mm, ss] = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso) ?? [];
  const [year, month, day] = [Number(y), Number(m), Number(d)];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  return hh === undefined || (Number(hh) < 24 && Number(mm) < 60 && (ss === undefined || Number(ss) < 60));
}

const LEADING_MARKS = new Set(['"', "'", '“', '”', '‘', '’', '`', '*']);
const TRAILING_MARKS = new Set([...LEADING_MARKS, '.']);

/** Takes the quotes and emphasis a model puts around a value off its ends (a scan, linear on any input). */
function stripQuotes(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && LEADING_MARKS.has(text[start])) start++;
  while (end > start && TRAILING_MARKS.has(text[end - 1])) end--;
  return text.slice(start, end).trim();
}

/** A model's JSON answer without the code fence it sometimes wraps around it. */
export function unfenceJson(text: string): string {
  let json = text.trim();
  if (json.startsWith('```')) {
    json = json.slice(3);
    if (json.startsWith('json')) json = json.slice(4);
  }
  if (json.endsWith('```')) json = json.slice(0, -3);
  return json.trim();
}

function matchOption(property: PropertySchema, value: string, options: CoerceOptions, mustExist: boolean): string | undefined {
  if (!value) return undefined;
  const existing = property.options?.find((o) => o.toLowerCase() === value.toLowerCase());
  if (existing) return existing;
  if (options.allowNewOptions && !mustExist) return truncateText(value.replace(/,/g, ' '), OPTION_NAME_LIMIT).trim();
  throw new PropertyValueError(
    property.options?.length
      ? l10n.t('"{0}" is not an option of {1}. Options: {2}.', value.slice(0, 60), property.name, property.options.join(', '))
      : l10n.t('"{0}" is not an option of {1}.', value.slice(0, 60), property.name),
  );
}

/** The JSON schema of the values the model should give for these properties. */
export function valuesSchema(properties: PropertySchema[], options: CoerceOptions): JsonSchema {
  const schemaFor = (p: PropertySchema): JsonSchema => {
    const enumOf = (): JsonSchema =>
      p.options?.length && !options.allowNewOptions ? { type: 'string', enum: p.options } : { type: 'string' };
    switch (p.type) {
      case 'number':
        return { type: 'number' };
      case 'checkbox':
        return { type: 'boolean' };
      case 'select':
        return enumOf();
      case 'status':
        return p.options?.length ? { type: 'string', enum: p.options } : { type: 'string' };
      case 'multi_select':
        return { type: 'array', items: enumOf() };
      case 'date':
        return { type: 'string', description: 'ISO 8601 date, e.g. 2026-11-24' };
      case 'url':
        return { type: 'string', description: 'An http(s) URL' };
      default:
        return { type: 'string' };
    }
  };
  return {
    type: 'object',
    properties: Object.fromEntries(properties.map((p) => [p.name, schemaFor(p)])),
    required: properties.map((p) => p.name),
    additionalProperties: false,
  };
}

/** A property value as plain text, for `{{Property}}` placeholders. */
export function plainValue(value: Record<string, unknown> & { type: string }): string {
  const v = value[value.type] as unknown;
  const texts = (items: unknown) => (Array.isArray(items) ? items.map((t: { plain_text?: string }) => t.plain_text ?? '').join('') : '');
  switch (value.type) {
    case 'title':
    case 'rich_text':
      return texts(v);
    case 'number':
      return v === null || v === undefined ? '' : String(v);
    case 'checkbox':
      return v ? 'Yes' : 'No';
    case 'select':
    case 'status':
      return (v as { name?: string } | null)?.name ?? '';
    case 'multi_select':
      return Array.isArray(v) ? v.map((o: { name?: string }) => o.name ?? '').join(', ') : '';
    case 'date': {
      const d = v as { start?: string; end?: string | null } | null;
      return d?.start ? (d.end ? `${d.start} → ${d.end}` : d.start) : '';
    }
    case 'url':
    case 'email':
    case 'phone_number':
      return typeof v === 'string' ? v : '';
    case 'people':
      return Array.isArray(v)
        ? v
            .map((p: { name?: string }) => p.name ?? '')
            .filter(Boolean)
            .join(', ')
        : '';
    case 'formula': {
      const f = v as Record<string, unknown> & { type?: string };
      return f?.type ? String(f[f.type] ?? '') : '';
    }
    default:
      return '';
  }
}

/** Whether a property value is empty: what "rows where the target is empty" means. */
export function isEmptyValue(value: (Record<string, unknown> & { type: string }) | undefined): boolean {
  if (!value) return true;
  if (value.type === 'checkbox') return value.checkbox !== true;
  return plainValue(value).trim() === '';
}
