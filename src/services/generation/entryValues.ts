import * as l10n from '@vscode/l10n';
import type { DataSourceInfo } from '../notion/notionDatabases';
import {
  type CoerceOptions,
  coerceProperty,
  FILLABLE_TYPES,
  type PropertySchema,
  PropertyValueError,
  unfenceJson,
} from '../notion/propertyValues';

// A new database entry's values: what the engine is asked for, and how values (the engine's or an agent's)
// are checked against the data source's schema and become Notion's request values.

export interface PreviewValue {
  readonly property: string;
  readonly type: string;
  readonly value: string;
}

export function display(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : value === undefined || value === null ? '' : String(value);
}

/** What the engine is told besides the run's instructions: the entry's title and mapped properties, as JSON. */
export function entryInstructions(
  instructions: string | undefined,
  database: string,
  title: PropertySchema,
  mapped: readonly PropertySchema[],
): string {
  return [
    instructions,
    `You create a new entry of the Notion database "${database}". Give its title ("${title.name}")` +
      (mapped.length ? ` and the values of its properties ${mapped.map((p) => `"${p.name}" (${p.type})`).join(', ')}` : '') +
      ', as JSON.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** Values for a new entry as Notion's request values, what they read as, and what did not fit (one line per property). */
function coerceAll(
  schema: readonly PropertySchema[],
  answer: Record<string, unknown>,
  coerce: CoerceOptions,
): { properties: Record<string, unknown>; preview: PreviewValue[]; problems: string[] } {
  const properties: Record<string, unknown> = {};
  const preview: PreviewValue[] = [];
  const problems: string[] = [];
  for (const property of schema) {
    try {
      properties[property.name] = coerceProperty(property, answer[property.name], coerce);
      preview.push({ property: property.name, type: property.type, value: display(answer[property.name]) });
    } catch (error) {
      problems.push(`${property.name}: ${(error as Error).message}`);
    }
  }
  return { properties, preview, problems };
}

/** Given values (an agent's) are text, numbers, true/false or lists: anything else is refused before Notion is asked. */
export function checkScalar(values: Record<string, unknown>): void {
  const notScalar = Object.entries(values).filter(([, value]) => value !== null && typeof value === 'object' && !Array.isArray(value));
  if (notScalar.length)
    throw new PropertyValueError(
      l10n.t(
        'Some values do not fit their property: {0} Nothing was written.',
        notScalar.map(([name]) => l10n.t('{0}: give text, a number, true/false or a list of option names.', name)).join(' '),
      ),
    );
}

/**
 * Given values as Notion's request values: every name must be a property Visen can fill, the title must be
 * there and every value must fit its property; otherwise PropertyValueError, and nothing is written.
 */
export function givenProperties(source: DataSourceInfo, values: Record<string, unknown>, coerce: CoerceOptions): Record<string, unknown> {
  const fillable = source.properties.filter((p) => (FILLABLE_TYPES as readonly string[]).includes(p.type));
  const unknown = Object.keys(values).filter((name) => !fillable.some((p) => p.name === name));
  const names = fillable.map((p) => `"${p.name}" (${p.type})`).join(', ');
  if (unknown.length)
    throw new PropertyValueError(
      l10n.t(
        '"{0}" has no property Visen can fill named {1}. Its properties: {2}.',
        source.name,
        unknown.map((n) => `"${n}"`).join(', '),
        names,
      ),
    );
  if (display(values[source.titleProperty]).trim() === '')
    throw new PropertyValueError(l10n.t('A new entry in "{0}" needs its title ("{1}").', source.name, source.titleProperty));
  const given = fillable.filter((p) => p.name in values);
  const { properties, problems } = coerceAll(given, values, coerce);
  if (problems.length)
    throw new PropertyValueError(l10n.t('Some values do not fit their property: {0} Nothing was written.', problems.join(' ')));
  return properties;
}

/** A new entry's values from the engine's answer; throws PropertyValueError when it is not JSON or a value does not fit. */
export function entryValues(text: string, schema: PropertySchema[], coerce: { allowNewOptions: boolean }) {
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(unfenceJson(text)) as Record<string, unknown>;
  } catch {
    throw new PropertyValueError(
      l10n.t(
        "The engine did not answer with the property values as JSON. Its answer is kept in the connection's history. Try again, or map fewer properties.",
      ),
    );
  }
  const { properties, preview, problems } = coerceAll(schema, answer, coerce);
  if (problems.length) {
    throw new PropertyValueError(
      l10n.t("Some values do not fit their property: {0} The answer is kept in the connection's history.", problems.join(' ')),
    );
  }
  return { answer, properties, preview };
}
