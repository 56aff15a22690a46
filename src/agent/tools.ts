import * as vscode from 'vscode';
import type { Connection } from '../services/connections/connection';
import type { WriteMode } from '../services/generation/generationRecord';
import { leftOutNote, readPageMarkdown } from '../services/notion/pageMarkdown';
import { NotionDatabases } from '../services/notion/notionDatabases';
import type { WorkflowDeps } from '../workflows/deps';
import { notionClient } from '../workflows/keys';
import { resolveTarget } from '../workflows/databaseEntry';
import { timeAgo } from '../workflows/format';
import { MissingKeyError } from '../workflows/missingKey';
import { describeOutcome } from '../workflows/outcome';
import { LARGE_CONTEXT_CHARS } from '../workflows/promptVariables';
import { headingList, headingNamed } from '../workflows/writePlace';
import { type ConfirmTarget, entryConfirmation, pageData, readConfirmation, writeConfirmation } from './confirmations';
import { connectionFor, connectionNamed, looksLikeLink } from './targets';
import type { AddEntryInput, ReadPageInput, WriteToPageInput } from './toolInputs';

// The language-model tools: thin surfaces over the workflows and GenerationService, so what an agent does
// to a page is what Generate does (the same writer, history, counts and Undo). Every failure comes back as
// the tool's text, in the words a person would see, so the agent can act on it. Every input arrives here
// checked against its schema (toolInputs.ts, by agent.ts).

export type { AddEntryInput, ReadPageInput, WriteToPageInput } from './toolInputs';

/** What the history records as the "model" of text an agent handed to a tool. */
const AGENT_MODEL = 'agent (language-model tool)';
const DEFAULT_MAX_CHARACTERS = 20_000;

const text = (value: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(value)]);

/** An error as the agent reads it: the message a person sees, and the command that fixes it when there is one. */
export function problemText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof MissingKeyError
    ? `${message} ${vscode.l10n.t('The user can fix this with the command "Visen: {0}".', error.action)}`
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
  if (all.length === 0)
    return text(
      vscode.l10n.t(
        'The user has no Visen connections yet. Give visen_writeToPage or visen_readPage the link of a Notion page shared with the integration, and it becomes one.',
      ),
    );
  return text(
    all
      .map((c) =>
        JSON.stringify({
          name: c.name,
          type: c.type,
          pageTitle: c.target.title,
          url: c.target.url,
          lastUsed: c.lastUsedAt ? `${c.lastUsedAt} (${timeAgo(c.lastUsedAt)})` : null,
        }),
      )
      .join('\n'),
  );
}

export async function readPage(deps: WorkflowDeps, input: ReadPageInput): Promise<vscode.LanguageModelToolResult> {
  const max = input.maxCharacters ?? DEFAULT_MAX_CHARACTERS;
  const client = await notionClient(deps);
  const named = connectionNamed(deps, input.target);
  // A name that is no connection's: connectionFor says so, with the names there are.
  if (!named && !looksLikeLink(input.target)) await connectionFor(deps, input.target);
  const target = named ? { kind: named.type, ref: named.target } : await resolveTarget(deps, input.target);
  if (target.kind === 'database') {
    const databases = new NotionDatabases(client);
    const database = await databases.resolve(target.ref.id);
    const sources = await Promise.all(database.dataSources.map((s) => databases.dataSource(s.id)));
    const schema = sources.map(
      (s) =>
        `## ${s.name}\n${s.properties.map((p) => `- ${p.name} (${p.type}${p.options?.length ? `: ${p.options.join(', ')}` : ''})`).join('\n')}`,
    );
    return text(
      `${vscode.l10n.t('"{0}" is a database ({1}). New entries take these properties:', database.title, database.url)}\n\n${schema.join('\n\n')}`,
    );
  }
  const page = await readPageMarkdown(client, target.ref.id);
  const notes: string[] = [];
  let body = page.markdown;
  if (body.length > max) {
    body = body.slice(0, max);
    notes.push(
      vscode.l10n.t(
        '[Cut: these are the first {0} of {1} characters. Call again with a larger maxCharacters to read more.]',
        max,
        page.markdown.length,
      ),
    );
  }
  if (page.truncated) notes.push(leftOutNote(page));
  return text(pageData(target.ref.title, target.ref.url, body, notes));
}

/** Reading more than the context every surface sends without asking is asked about first, as that context is. */
export function prepareRead(input: ReadPageInput): vscode.PreparedToolInvocation | undefined {
  return (input.maxCharacters ?? DEFAULT_MAX_CHARACTERS) > LARGE_CONTEXT_CHARS
    ? readConfirmation(input.target, input.maxCharacters!)
    : undefined;
}

const modeOf = (input: WriteToPageInput): WriteMode => (input.mode === 'replace' || input.mode === 'afterHeading' ? input.mode : 'append');

const sameId = (a: string, b: string) => a.replace(/-/g, '') === b.replace(/-/g, '');

/**
 * The page a target names, for the confirmation: a connection's without asking Notion, else the page of the
 * link, marked as one of the user's connections only when one of them writes to it. Throws when the target
 * is neither (invoke says the same).
 */
async function confirmTargetOf(deps: WorkflowDeps, target: string): Promise<ConfirmTarget> {
  const named = connectionNamed(deps, target);
  if (named) return { title: named.target.title || named.name, url: named.target.url, known: true };
  if (!looksLikeLink(target)) await connectionFor(deps, target);
  const resolved = await resolveTarget(deps, target);
  return {
    title: resolved.ref.title,
    url: resolved.ref.url,
    known: deps.connections.list().some((c) => sameId(c.target.id, resolved.ref.id)),
  };
}

export async function prepareWrite(deps: WorkflowDeps, input: WriteToPageInput): Promise<vscode.PreparedToolInvocation> {
  return writeConfirmation(input, modeOf(input), await confirmTargetOf(deps, input.target));
}

export async function writeToPage(
  deps: WorkflowDeps,
  input: WriteToPageInput,
  token: vscode.CancellationToken,
): Promise<vscode.LanguageModelToolResult> {
  const connection = await connectionFor(deps, input.target);
  if (connection.type === 'database') {
    return text(
      vscode.l10n.t(
        '"{0}" is a database: add an entry to it with visen_addDatabaseEntry, or write to one of its entries by its link.',
        connection.name,
      ),
    );
  }
  const signal = signalOf(token);
  let afterBlock: string | undefined;
  if (modeOf(input) === 'afterHeading') {
    const headings = await deps.generation.service.headings(connection.target.id, signal);
    const title = connection.target.title || connection.name;
    if (headings.length === 0)
      return text(vscode.l10n.t('"{0}" has no headings to write after: write with mode "append" instead, or add a heading first.', title));
    const heading = headingNamed(headings, input.heading ?? '');
    if (!heading) {
      return text(
        input.heading?.trim()
          ? vscode.l10n.t('"{0}" has no heading "{1}". Its headings: {2}.', title, input.heading.trim(), headingList(headings))
          : vscode.l10n.t('Name the heading to write after in "heading". The headings of "{0}": {1}.', title, headingList(headings)),
      );
    }
    afterBlock = heading.id;
  }
  const result = await deps.generation.service.run({
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
  const first = markdown
    .trim()
    .split('\n')[0]
    .replace(/^#+\s*/, '')
    .slice(0, 200);
  return vscode.l10n.t('Written by an agent: {0}', first);
}

function undoHint(recordId: string, blocks: number): string {
  return blocks > 0 ? vscode.l10n.t('History record {0}: the user can take it back with "Visen: Undo Last Generation".', recordId) : '';
}

export async function prepareEntry(deps: WorkflowDeps, input: AddEntryInput): Promise<vscode.PreparedToolInvocation> {
  return entryConfirmation(input, await confirmTargetOf(deps, input.target));
}

export async function addDatabaseEntry(
  deps: WorkflowDeps,
  input: AddEntryInput,
  token: vscode.CancellationToken,
): Promise<vscode.LanguageModelToolResult> {
  const connection: Connection = await connectionFor(deps, input.target);
  if (connection.type !== 'database')
    return text(vscode.l10n.t('"{0}" is a page, not a database: write to it with visen_writeToPage.', connection.name));
  const { entry, result } = await deps.generation.service.addEntry({
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
