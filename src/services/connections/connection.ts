import * as v from 'valibot';
import { ENGINE_KINDS } from '../engines/registry';
import { MAX_PROMPT_LENGTH } from '../generation/prompt';
import { MAX_TEMPLATE_NAME, MAX_TEMPLATES } from './promptTemplate';

export type ConnectionType = 'page' | 'database';

export const CONNECTION_TYPE_LABELS: Record<ConnectionType, string> = {
  page: 'Notion Page',
  database: 'Notion Database',
};

const isoDate = v.pipe(v.string(), v.isoTimestamp());

/** The longest connection name: it names a tree item, a quick pick entry and a row in Notion. */
const MAX_CONNECTION_NAME = 200;

/** A page title made into a connection name: cut to the limit, never between the halves of a character. */
export function connectionName(title: string): string {
  const name = title.trim();
  if (name.length <= MAX_CONNECTION_NAME) return name;
  let end = MAX_CONNECTION_NAME - 1;
  if (/[\ud800-\udbff]/.test(name[end - 1])) end--;
  return `${name.slice(0, end).trimEnd()}…`;
}

/** A prompt template of a connection (promptTemplate.ts). */
const PromptTemplateSchema = v.object({
  name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_TEMPLATE_NAME)),
  prompt: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_PROMPT_LENGTH)),
});

/** A connection as stored; the schema also validates what comes back from storage and from Notion. */
export const ConnectionSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CONNECTION_NAME)),
  type: v.picklist(['page', 'database']),
  target: v.object({
    id: v.pipe(v.string(), v.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)),
    url: v.pipe(v.string(), v.url()),
    title: v.string(),
  }),
  createdAt: isoDate,
  lastUsedAt: v.optional(isoDate),
  usage: v.object({
    prompts: v.pipe(v.number(), v.integer(), v.minValue(0)),
    inputTokens: v.pipe(v.number(), v.minValue(0)),
    outputTokens: v.pipe(v.number(), v.minValue(0)),
  }),
  lastPrompt: v.optional(v.string()),
  /** Engine and model chosen for this connection; absent = the settings'. */
  engine: v.optional(v.picklist(ENGINE_KINDS)),
  model: v.optional(v.string()),
  /** Where the last generations went: append or replace. */
  writeMode: v.optional(v.picklist(['append', 'replace', 'afterHeading'])),
  /** The id of its row in the connections database, once mirrored. */
  rowId: v.optional(v.string()),
  /** Database connections: the data source new entries go to, and the properties the engine fills. */
  dataSourceId: v.optional(v.string()),
  mappedProperties: v.optional(v.array(v.string())),
  /** Database connections: show the property values before they are written. */
  previewValues: v.optional(v.boolean()),
  allowNewOptions: v.optional(v.boolean()),
  /** Prompts saved under a name (promptTemplate.ts); since version 2. Never mirrored to Notion. */
  templates: v.optional(v.pipe(v.array(PromptTemplateSchema), v.maxLength(MAX_TEMPLATES))),
});

export type Connection = v.InferOutput<typeof ConnectionSchema>;

export function parseConnection(value: unknown): { ok: true; connection: Connection } | { ok: false; problem: string } {
  const result = v.safeParse(ConnectionSchema, value);
  if (result.success) return { ok: true, connection: result.output };
  const issue = result.issues[0];
  const where = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, problem: `${where ? `${where}: ` : ''}${issue.message}` };
}
