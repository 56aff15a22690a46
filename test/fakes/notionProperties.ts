// Database properties of the Notion stand-in: schemas, property values from requests, filters and sorts.
import { randomUUID } from 'node:crypto';
import { richTextFromRequest } from './notionContent';
import { checkPropertyValue } from './notionValidation';
import {
  type FakeDatabase,
  type FakePage,
  type PropertySchema,
  type PropertyValue,
  type Store,
  emptyValue,
  invalid,
  notionUrl,
} from './notionStore';

// ---- properties --------------------------------------------------------------------------------------------

export function propertyValueFromRequest(schema: PropertySchema, value: Record<string, unknown>, path: string): PropertyValue {
  checkPropertyValue(schema.type, value, path);
  const raw = value[schema.type];
  let stored: unknown = raw;
  switch (schema.type) {
    case 'rich_text':
      stored = richTextFromRequest(raw ?? [], `${path}.rich_text`);
      break;
    case 'select':
    case 'status':
      stored = raw ? { id: randomUUID().slice(0, 4), name: (raw as { name: string }).name, color: 'default' } : null;
      break;
    case 'multi_select':
      stored = ((raw as Array<{ name: string }>) ?? []).map((o) => ({ id: randomUUID().slice(0, 4), name: o.name, color: 'default' }));
      break;
    case 'date':
      stored = raw ? { end: null, time_zone: null, ...(raw as object) } : null;
      break;
    case 'checkbox':
      stored = !!raw;
      break;
  }
  return { id: schema.id, type: schema.type, [schema.type]: stored === undefined ? emptyValue(schema.type) : stored };
}

/** Applies request-form property values; true when the title property was among them. */
export function applyProperties(s: Store, page: FakePage, props: Record<string, Record<string, unknown>>, path: string): boolean {
  let titleSet = false;
  const db = page.parent.type === 'data_source_id' ? s.dataSources.get(page.parent.dataSourceId) : undefined;
  for (const [name, value] of Object.entries(props)) {
    const schema = db ? (db.properties[name] ?? Object.values(db.properties).find((p) => p.id === name)) : undefined;
    const isTitle = db ? schema?.type === 'title' : name === 'title' || 'title' in (value ?? {});
    if (isTitle) {
      const rich = richTextFromRequest(value.title ?? [], `${path}.${name}.title`);
      setTitle(page, rich.map((r) => r.plain_text).join(''));
      titleSet = true;
    } else if (schema) {
      page.properties[schema.name] = propertyValueFromRequest(schema, value, `${path}.${name}`);
    } else {
      throw invalid(`${name} is not a property that exists.`);
    }
  }
  return titleSet;
}

export function setTitle(page: FakePage, title: string) {
  page.title = title;
  page.url = notionUrl(title, page.id);
}

export function schemaEntry(name: string, config: Record<string, unknown>, path: string): PropertySchema {
  const type =
    typeof config.type === 'string' ? config.type : Object.keys(config).find((k) => k !== 'type' && k !== 'name' && k !== 'description');
  if (!type) throw invalid(`${path}.${name} should be a property configuration, instead was \`${JSON.stringify(config)}\`.`);
  return { id: type === 'title' ? 'title' : randomUUID().slice(0, 4), name, type, config: config[type] ?? {} };
}

export function schemaFromRequest(
  props: Record<string, Record<string, unknown>> | undefined,
  path: string,
): Record<string, PropertySchema> {
  const out: Record<string, PropertySchema> = {};
  for (const [name, config] of Object.entries(props ?? { Name: { title: {} } })) out[name] = schemaEntry(name, config, path);
  if (!Object.values(out).some((p) => p.type === 'title'))
    throw invalid('Title property is required for a data source. Add a property of type `title`.');
  return out;
}

// ---- filters and sorts -------------------------------------------------------------------------------------

function propertyText(page: FakePage, schema: PropertySchema): string {
  if (schema.type === 'title') return page.title;
  const value = page.properties[schema.name]?.[schema.type];
  if (Array.isArray(value)) return value.map((v: { plain_text?: string; name?: string }) => v.plain_text ?? v.name ?? '').join('');
  if (value && typeof value === 'object' && 'name' in value) return String((value as { name: string }).name);
  return value === null || value === undefined ? '' : String(value);
}

export function matchesFilter(page: FakePage, db: FakeDatabase, filter: Record<string, any>): boolean {
  if (Array.isArray(filter.and)) return filter.and.every((f: Record<string, any>) => matchesFilter(page, db, f));
  if (Array.isArray(filter.or)) return filter.or.some((f: Record<string, any>) => matchesFilter(page, db, f));
  if (filter.timestamp) {
    const key = filter.timestamp as 'created_time' | 'last_edited_time';
    const cond = filter[key] ?? {};
    const t = Date.parse(key === 'created_time' ? page.createdTime : page.lastEditedTime);
    const ref = (v: string) => Date.parse(v);
    if (cond.on_or_after) return t >= ref(cond.on_or_after);
    if (cond.on_or_before) return t <= ref(cond.on_or_before);
    if (cond.after) return t > ref(cond.after);
    if (cond.before) return t < ref(cond.before);
    return true;
  }
  const schema = db.properties[filter.property] ?? Object.values(db.properties).find((p) => p.id === filter.property);
  if (!schema) throw invalid(`Could not find property with name or id: ${filter.property}`);
  const kind = Object.keys(filter).find((k) => k !== 'property') ?? schema.type;
  const cond = filter[kind] ?? {};
  if (kind === 'checkbox') {
    const value = !!page.properties[schema.name]?.checkbox;
    return 'equals' in cond ? value === cond.equals : 'does_not_equal' in cond ? value !== cond.does_not_equal : true;
  }
  if (kind === 'number') {
    const value = page.properties[schema.name]?.number as number | null;
    if ('equals' in cond) return value === cond.equals;
    if ('greater_than' in cond) return value !== null && value > cond.greater_than;
    if ('less_than' in cond) return value !== null && value < cond.less_than;
    if (cond.is_empty) return value === null;
    if (cond.is_not_empty) return value !== null;
    return true;
  }
  const text = propertyText(page, schema);
  const lower = text.toLowerCase();
  if ('equals' in cond) return text === String(cond.equals);
  if ('does_not_equal' in cond) return text !== String(cond.does_not_equal);
  if ('contains' in cond) return lower.includes(String(cond.contains).toLowerCase());
  if ('does_not_contain' in cond) return !lower.includes(String(cond.does_not_contain).toLowerCase());
  if ('starts_with' in cond) return lower.startsWith(String(cond.starts_with).toLowerCase());
  if ('ends_with' in cond) return lower.endsWith(String(cond.ends_with).toLowerCase());
  if (cond.is_empty) return text === '';
  if (cond.is_not_empty) return text !== '';
  return true;
}

export function sortRows(rows: FakePage[], db: FakeDatabase, sorts: Array<Record<string, string>> | undefined): FakePage[] {
  if (!sorts?.length) return rows;
  return [...rows].sort((a, b) => {
    for (const sort of sorts) {
      let av: string;
      let bv: string;
      if (sort.timestamp) {
        av = sort.timestamp === 'created_time' ? a.createdTime : a.lastEditedTime;
        bv = sort.timestamp === 'created_time' ? b.createdTime : b.lastEditedTime;
      } else {
        const schema = db.properties[sort.property];
        if (!schema) throw invalid(`Could not find sort property with name or id: ${sort.property}`);
        av = propertyText(a, schema);
        bv = propertyText(b, schema);
      }
      const cmp = av.localeCompare(bv, undefined, { numeric: true });
      if (cmp) return sort.direction === 'descending' ? -cmp : cmp;
    }
    return 0;
  });
}
