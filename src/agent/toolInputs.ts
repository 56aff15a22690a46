import * as l10n from '@vscode/l10n';
import * as v from 'valibot';
import { WRITE_MODES } from '../services/generation/generationRecord';

// What the language-model tools take, as schemas (package.json `languageModelTools[].inputSchema` says the
// same to the model). VS Code does not check a model's input against inputSchema, so every call is checked
// here before anything is looked up, asked or written: an input that does not fit is answered with what is
// wrong, and nothing happens.

const MAX_TARGET = 2_000;
/** Markdown an agent hands over in one call: far past any page section, well inside what Notion takes in a run. */
const MAX_TOOL_MARKDOWN = 200_000;

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const target = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_TARGET));

const readPageSchema = v.object({
  target,
  maxCharacters: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});

const writeToPageSchema = v.object({
  target,
  markdown: v.pipe(
    text(MAX_TOOL_MARKDOWN),
    v.check(
      (s) => s.trim().length > 0,
      () => l10n.t('There is no markdown to write: give the content in "markdown".'),
    ),
  ),
  mode: v.optional(v.picklist(WRITE_MODES)),
  heading: v.optional(text(MAX_TARGET)),
});

/** A property value as an agent gives it: text, a number, yes/no, or a list of option names. */
const valueSchema = v.union([
  text(MAX_TARGET * 10),
  v.pipe(v.number(), v.finite()),
  v.boolean(),
  v.null(),
  v.pipe(v.array(v.union([text(MAX_TARGET), v.pipe(v.number(), v.finite())])), v.maxLength(100)),
]);

const addEntrySchema = v.object({
  target,
  // A record alone would take a list (its indexes as names): the values must be an object.
  values: v.intersect([
    v.custom<Record<string, unknown>>((input) => typeof input === 'object' && input !== null && !Array.isArray(input)),
    v.record(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TARGET)), valueSchema),
  ]),
  content: v.optional(text(MAX_TOOL_MARKDOWN)),
});

export type ReadPageInput = v.InferOutput<typeof readPageSchema>;
export type WriteToPageInput = v.InferOutput<typeof writeToPageSchema>;
export type AddEntryInput = v.InferOutput<typeof addEntrySchema>;

const TOOL_SCHEMAS = {
  // Takes nothing: whatever an agent passes (or nothing at all) is ignored.
  visen_listConnections: v.unknown(),
  visen_readPage: readPageSchema,
  visen_writeToPage: writeToPageSchema,
  visen_addDatabaseEntry: addEntrySchema,
} as const;

export type ToolSchemaName = keyof typeof TOOL_SCHEMAS;
type ToolInput<N extends ToolSchemaName> = v.InferOutput<(typeof TOOL_SCHEMAS)[N]>;

export type CheckedInput<N extends ToolSchemaName> =
  { readonly ok: true; readonly input: ToolInput<N> } | { readonly ok: false; readonly problem: string };

/** What an expected type reads as in a message (valibot's own words are its type names). */
function expectedWords(issue: v.BaseIssue<unknown>): string {
  switch (issue.type) {
    case 'string':
      return l10n.t('text');
    case 'number':
      return l10n.t('a number');
    case 'boolean':
      return l10n.t('true or false');
    case 'object':
    case 'custom':
    case 'record':
      return l10n.t('an object');
    case 'array':
      return l10n.t('a list');
    case 'union':
      return l10n.t('text, a number, true/false or a list of option names');
    case 'picklist':
      return l10n.t('one of {0}', WRITE_MODES.map((m) => `"${m}"`).join(', '));
    case 'min_length':
      return issue.expected === '>=1' ? l10n.t('not empty') : l10n.t('at least {0} characters', String(issue.requirement));
    case 'max_length':
      return l10n.t('at most {0} long', (issue.requirement as number).toLocaleString('en-US'));
    case 'integer':
      return l10n.t('a whole number');
    case 'min_value':
      return l10n.t('at least {0}', String(issue.requirement));
    case 'finite':
      return l10n.t('a finite number');
    default:
      return issue.expected ?? issue.type;
  }
}

/** The first thing wrong with an input, naming its field. */
function inputProblem(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  const path = (issue.path ?? []).map((item) => String((item as { key?: unknown }).key)).join('.');
  if (issue.type === 'check') return issue.message;
  if (!path) return l10n.t('The input must be an object of the fields the tool describes.');
  if (issue.input === undefined) return l10n.t('"{0}" is missing.', path);
  return l10n.t('"{0}" must be {1} (it is {2}).', path, expectedWords(issue), issue.received);
}

/** The tool's input checked against its schema: the input as the tool reads it, or what is wrong. */
export function checkToolInput<N extends ToolSchemaName>(name: N, raw: unknown): CheckedInput<N> {
  const result = v.safeParse(TOOL_SCHEMAS[name], raw);
  if (result.success) return { ok: true, input: result.output as ToolInput<N> };
  return { ok: false, problem: l10n.t('The input of {0} is not valid: {1} Nothing was written.', name, inputProblem(result.issues)) };
}
