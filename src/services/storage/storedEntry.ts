import * as v from 'valibot';

/**
 * Every entry Visen keeps in VS Code's global state (a generation record, a connection, a month of usage)
 * carries the version of its format. Entries written before versions existed are version 1.
 */
const SCHEMA_VERSION_FIELD = 'schemaVersion';

type Fields = Record<string, unknown>;

/** How one kind of stored entry is read: its current version, the steps up to it, and its schema. */
export interface StoredFormat<T> {
  readonly version: number;
  /** `migrations[n]` turns a version-n entry into version n + 1. */
  readonly migrations: Readonly<Record<number, (entry: Fields) => Fields>>;
  readonly schema: v.GenericSchema<unknown, T>;
}

export type ReadEntry<T> =
  | { readonly kind: 'valid'; readonly value: T; readonly migrated: boolean }
  /** Not readable as this kind of entry: set aside, never deleted. */
  | { readonly kind: 'damaged'; readonly problem: string }
  /** Written by a newer Visen: left as it is, for that version. */
  | { readonly kind: 'newer'; readonly version: number };

/** Brings a stored entry up to the current version and validates it in depth. */
export function readEntry<T>(format: StoredFormat<T>, raw: unknown): ReadEntry<T> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { kind: 'damaged', problem: `not an object (${describe(raw)})` };
  const { [SCHEMA_VERSION_FIELD]: stated, ...fields } = raw as Fields;
  const version = stated === undefined ? 1 : stated;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    return { kind: 'damaged', problem: `${SCHEMA_VERSION_FIELD}: not a version (${describe(stated)})` };
  if (version > format.version) return { kind: 'newer', version };
  let entry: Fields = fields;
  for (let step = version; step < format.version; step++) {
    const migrate = format.migrations[step];
    if (migrate) entry = migrate(entry);
  }
  const result = v.safeParse(format.schema, entry);
  if (!result.success) return { kind: 'damaged', problem: describeIssue(result.issues[0]) };
  return { kind: 'valid', value: result.output, migrated: version !== format.version };
}

/** The entry as it is stored: its fields and the current version. */
export function toStored<T extends object>(format: StoredFormat<T>, value: T): Fields {
  return { [SCHEMA_VERSION_FIELD]: format.version, ...value };
}

/**
 * An entry this Visen has just written, as the store read it back (its own copy): the fields without the
 * version, unchecked, since they are what `toStored` made of a checked value.
 */
export function fromOwnStored<T extends object>(stored: unknown): T {
  const { [SCHEMA_VERSION_FIELD]: _version, ...fields } = stored as Fields;
  return fields as T;
}

/** Where in the entry, and what is wrong: "blocks: Invalid type: Expected number but received "3"". */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const where = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return `${where ? `${where}: ` : ''}${issue.message}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** A count of things: a non-negative integer. */
export const count = v.pipe(v.number(), v.integer(), v.minValue(0));
