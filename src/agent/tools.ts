import * as vscode from 'vscode';
import type { Connection } from '../services/connections/connection';
import type { WriteMode } from '../services/generation/generationRecord';
import { readPageMarkdown } from '../services/notion/pageMarkdown';
import { NotionDatabases } from '../services/notion/notionDatabases';
import type { WorkflowDeps } from '../workflows/deps';
import { notionClient } from '../workflows/keys';
import { resolveTarget } from '../workflows/databaseEntry';
import { timeAgo } from '../workflows/format';
import { describeOutcome } from '../workflows/outcome';
import { headingList, headingNamed, headingText } from '../workflows/writePlace';
import { connectionFor, connectionNamed, looksLikeLink } from './targets';

// The language-model tools: thin surfaces over the workflows and GenerationService, so what an agent does
// to a page is what Generate does (the same writer, history, counts and Undo). Every failure comes back as
// the tool's text, in the words a person would see, so the agent can act on it.

export interface ReadPageInput { readonly target: string; readonly maxCharacters?: number }
export interface WriteToPageInput {
  readonly target: string;
  readonly markdown: string;
  readonly mode?: WriteMode;
  /** With mode `afterHeading`: the text of the top-level heading to write right after. */
  readonly heading?: string;
}
export interface AddEntryInput { readonly target: string; readonly values: Record<string, unknown>; readonly content?: string }

/** What the history records as the "model" of text an agent handed to a tool. */
const AGENT_MODEL = 'agent (language-model tool)';
const DEFAULT_MAX_CHARACTERS = 20_000;

const text = (value: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(value)]);

/** An error as the agent reads it: the message a person sees, and the command that fixes it when there is one. */
export function problemText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const fix = error as { action?: unknown; command?: unknown };
  return typeof fix.action === 'string' && typeof fix.command === 'string'
    ? `${message} ${vscode.l10n.t('The user can fix this with the command "Visen: {0}".', fix.action)}`
    : message;
}

export function signalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

export function listConnections(deps: WorkflowDeps): vscode.LanguageModelToolResult {
  const all = deps.connections.list();
  if (all.length === 0) return text(vscode.l10n.t('The user has no Visen connections yet. Give visen_writeToPage or visen_readPage the link of a Notion page shared with the integration, and it becomes one.'));
  return text(all.map((c) => JSON.stringify({
    name: c.name,
    type: c.type,
    pageTitle: c.target.title,
    url: c.target.url,
    lastUsed: c.lastUsedAt ? `${c.lastUsedAt} (${timeAgo(c.lastUsedAt)})` : null,
  })).join('\n'));
}

export async function readPage(deps: WorkflowDeps, input: ReadPageInput): Promise<vscode.LanguageModelToolResult> {
  const max = typeof input.maxCharacters === 'number' && Number.isFinite(input.maxCharacters) ? Math.max(1, Math.floor(input.maxCharacters)) : DEFAULT_MAX_CHARACTERS;
  const client = await notionClient(deps);
  const named = connectionNamed(deps, input.target);
  // A name that is no connection's: connectionFor says so, with the names there are.
  if (!named && !looksLikeLink(input.target)) await connectionFor(deps, input.target);
  const target = named ? { kind: named.type, ref: named.target } : await resolveTarget(deps, input.target);
  if (target.kind === 'database') {
    const databases = new NotionDatabases(client);
    const database = await databases.resolve(target.ref.id);
    const sources = await Promise.all(database.dataSources.map((s) => databases.dataSource(s.id)));
    const schema = sources.map((s) => `## ${s.name}\n${s.properties.map((p) => `- ${p.name} (${p.type}${p.options?.length ? `: ${p.options.join(', ')}` : ''})`).join('\n')}`);
    return text(`${vscode.l10n.t('"{0}" is a database ({1}). New entries take these properties:', database.title, database.url)}\n\n${schema.join('\n\n')}`);
  }
  const page = await readPageMarkdown(client, target.ref.id);
  const head = `# ${target.ref.title}\n${target.ref.url}\n\n`;
  const notes: string[] = [];
  let body = page.markdown;
  if (body.length > max) {
    body = body.slice(0, max);
    notes.push(vscode.l10n.t('[Cut: these are the first {0} of {1} characters. Call again with a larger maxCharacters to read more.]', max, page.markdown.length));
  }
  if (page.truncated) notes.push(vscode.l10n.t('[Notion left out the end of this page: it is longer than Notion returns as markdown.]'));
  return text(`${head}${body}${notes.length ? `\n\n${notes.join('\n')}` : ''}`);
}

const modeOf = (input: WriteToPageInput): WriteMode => (input.mode === 'replace' || input.mode === 'afterHeading' ? input.mode : 'append');

function writeWords(input: WriteToPageInput, title: string): string {
  const chars = (input.markdown?.length ?? 0).toLocaleString();
  switch (modeOf(input)) {
    case 'replace':
      return vscode.l10n.t('Visen replaces the content of "{0}" in Notion with {1} characters of markdown. The blocks there now go to Notion\'s trash; Undo puts them back.', title, chars);
    case 'afterHeading':
      return vscode.l10n.t('Visen writes {1} characters of markdown right after the heading "{2}" of "{0}" in Notion.', title, chars, headingText(input.heading ?? ''));
    default:
      return vscode.l10n.t('Visen appends {1} characters of markdown to the end of "{0}" in Notion.', title, chars);
  }
}

/** The page title a target names, without asking Notion when it is a connection's. */
async function titleOf(deps: WorkflowDeps, target: string): Promise<string> {
  const named = connectionNamed(deps, target);
  if (named) return named.target.title || named.name;
  try {
    return (await resolveTarget(deps, target)).ref.title;
  } catch {
    return target;
  }
}

export async function prepareWrite(deps: WorkflowDeps, input: WriteToPageInput): Promise<vscode.PreparedToolInvocation> {
  const title = await titleOf(deps, input.target);
  return {
    invocationMessage: vscode.l10n.t('Writing to "{0}" in Notion', title),
    confirmationMessages: { title: vscode.l10n.t('Write to "{0}" in Notion?', title), message: writeWords(input, title) },
  };
}

export async function writeToPage(deps: WorkflowDeps, input: WriteToPageInput, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
  if (!input.markdown?.trim()) return text(vscode.l10n.t('There is no markdown to write: give the content in "markdown".'));
  const connection = await connectionFor(deps, input.target);
  if (connection.type === 'database') {
    return text(vscode.l10n.t('"{0}" is a database: add an entry to it with visen_addDatabaseEntry, or write to one of its entries by its link.', connection.name));
  }
  const signal = signalOf(token);
  let afterBlock: string | undefined;
  if (modeOf(input) === 'afterHeading') {
    const headings = await deps.generation.headings(connection.target.id, signal);
    const title = connection.target.title || connection.name;
    if (headings.length === 0) return text(vscode.l10n.t('"{0}" has no headings to write after: write with mode "append" instead, or add a heading first.', title));
    const heading = headingNamed(headings, input.heading ?? '');
    if (!heading) {
      return text(input.heading?.trim()
        ? vscode.l10n.t('"{0}" has no heading "{1}". Its headings: {2}.', title, input.heading.trim(), headingList(headings))
        : vscode.l10n.t('Name the heading to write after in "heading". The headings of "{0}": {1}.', title, headingList(headings)));
    }
    afterBlock = heading.id;
  }
  const result = await deps.generation.run({
    connection,
    prompt: promptOf(input.markdown),
    engine: 'vscode-lm',
    model: AGENT_MODEL,
    mode: modeOf(input),
    ...(afterBlock ? { afterBlock } : {}),
    source: { markdown: input.markdown },
    signal,
  });
  const seen = describeOutcome(result);
  return text(`${seen.message} ${undoHint(result.record.id, result.record.blockIds?.length ?? 0)}`);
}

/** What the history shows as the prompt of text an agent wrote: its first line. */
function promptOf(markdown: string): string {
  const first = markdown.trim().split('\n')[0].replace(/^#+\s*/, '').slice(0, 200);
  return vscode.l10n.t('Written by an agent: {0}', first);
}

function undoHint(recordId: string, blocks: number): string {
  return blocks > 0 ? vscode.l10n.t('History record {0}: the user can take it back with "Visen: Undo Last Generation".', recordId) : '';
}

export async function prepareEntry(deps: WorkflowDeps, input: AddEntryInput): Promise<vscode.PreparedToolInvocation> {
  const title = await titleOf(deps, input.target);
  const values = Object.entries(input.values ?? {}).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  const body = input.content?.trim() ? vscode.l10n.t('Its page gets {0} characters of markdown.', input.content.length.toLocaleString()) : '';
  return {
    invocationMessage: vscode.l10n.t('Adding an entry to "{0}" in Notion', title),
    confirmationMessages: {
      title: vscode.l10n.t('Add an entry to "{0}" in Notion?', title),
      message: `${vscode.l10n.t('Visen adds a new entry to the database "{0}" with these values:', title)}\n\n${values.map((v) => `- ${v}`).join('\n')}\n\n${body}`.trim(),
    },
  };
}

export async function addDatabaseEntry(deps: WorkflowDeps, input: AddEntryInput, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
  if (!input.values || typeof input.values !== 'object' || Array.isArray(input.values)) return text(vscode.l10n.t('Give the entry\'s property values in "values", as an object of property name to value.'));
  const connection: Connection = await connectionFor(deps, input.target);
  if (connection.type !== 'database') return text(vscode.l10n.t('"{0}" is a page, not a database: write to it with visen_writeToPage.', connection.name));
  const { entry, result } = await deps.generation.addEntry({
    connection,
    values: input.values,
    markdown: input.content,
    prompt: vscode.l10n.t('Entry added by an agent: {0}', entry0(input.values)),
    engine: 'vscode-lm',
    model: AGENT_MODEL,
    signal: signalOf(token),
  });
  const added = vscode.l10n.t('Added the entry "{0}" to "{1}": {2}', entry.title, connection.name, entry.url);
  if (!result) return text(added);
  return text(`${added}\n${describeOutcome(result).message} ${undoHint(result.record.id, result.record.blockIds?.length ?? 0)}`);
}

const entry0 = (values: Record<string, unknown>) => JSON.stringify(values).slice(0, 200);
