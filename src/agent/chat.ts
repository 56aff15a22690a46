import * as vscode from 'vscode';
import { Commands } from '../constants';
import { chatModelEngine } from '../platform/vscodeLm';
import type { Connection, ConnectionType } from '../services/connections/connection';
import type { RunResult } from '../services/generation/generationService';
import { rewritePrompt } from '../services/generation/instructions';
import { type GenerationRecord, offersUndo } from '../workflows/history';
import type { WorkflowDeps } from '../workflows/deps';
import { fillDatabase } from '../workflows/fill';
import { generate, type GenerateRequest } from '../workflows/generate';
import { MissingKeyError } from '../workflows/missingKey';
import { describeOutcome, type OutcomeAction } from '../workflows/outcome';
import { intoPhrase } from './targetNames';
import { connectionNamedIn } from './targets';
import { problemText, signalOf } from './tools';

// @visen: the answer streams into the chat and into the connection the prompt names at once; a follow-up
// in the same chat rewrites exactly the blocks the previous answer wrote.

const PARTICIPANT_ID = 'visen.chat';

/** What a turn leaves for the next one (ChatResult.metadata). */
interface ChatMetadata {
  /** The generation this turn wrote: a follow-up rewrites its blocks. */
  readonly recordId?: string;
  /** No connection was named: the prompt waits for one (offered as follow-ups). */
  readonly needsConnection?: { readonly prompt: string; readonly command?: string };
}

const kindOf = (command: string | undefined): ConnectionType | undefined =>
  command === 'page' ? 'page' : command === 'entry' ? 'database' : undefined;

export async function handleChat(
  deps: WorkflowDeps,
  request: vscode.ChatRequest,
  context: vscode.ChatContext,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<vscode.ChatResult> {
  try {
    if (request.command === 'fill') {
      const database = connectionNamedIn(deps, request.prompt, 'database');
      stream.markdown(vscode.l10n.t('Opening Fill Database Rows with your prompt as the template of each row…'));
      await fillDatabase(deps, {
        connectionId: database?.connection.id,
        template: (database?.prompt ?? request.prompt).trim() || undefined,
      });
      return {};
    }
    const type = kindOf(request.command);
    const named = connectionNamedIn(deps, request.prompt, type);
    const earlier = named ? undefined : previousRecord(deps, context);
    const earlierConnection = earlier?.connectionId ? deps.connections.get(earlier.connectionId) : undefined;
    if (earlier && earlierConnection) return await rewrite(deps, request, earlier, earlierConnection, stream, token);
    if (!named) return askConnection(deps, request, type, stream);
    return await write(deps, request, named.connection, named.prompt, stream, token);
  } catch (error) {
    stream.markdown(problemText(error));
    if (error instanceof MissingKeyError) stream.button({ command: error.command, title: error.action });
    return { metadata: {} satisfies ChatMetadata };
  }
}

/** The generation the last @visen answer in this chat wrote, if it is still in the history. */
function previousRecord(deps: WorkflowDeps, context: vscode.ChatContext): GenerationRecord | undefined {
  for (let i = context.history.length - 1; i >= 0; i--) {
    const turn = context.history[i];
    if (!('result' in turn) || turn.participant !== PARTICIPANT_ID) continue;
    const id = (turn.result.metadata as ChatMetadata | undefined)?.recordId;
    if (id) return deps.generations.get(id);
  }
  return undefined;
}

function askConnection(
  deps: WorkflowDeps,
  request: vscode.ChatRequest,
  type: ConnectionType | undefined,
  stream: vscode.ChatResponseStream,
): vscode.ChatResult {
  const candidates = deps.connections.list().filter((c) => !type || c.type === type);
  if (candidates.length === 0) {
    stream.markdown(vscode.l10n.t('There are no connections yet. Create one, then name it in your prompt ("… into My page").'));
    stream.button({ command: Commands.newConnection, title: vscode.l10n.t('New Connection') });
    return {};
  }
  stream.markdown(
    `${vscode.l10n.t('Which connection should this go into? Name it in the prompt ("… into {0}"), or choose one below:', candidates[0].name)}\n\n`,
  );
  stream.markdown(
    candidates
      .map(
        (c) =>
          `- **${escapeMarkdown(c.name)}** — ${c.type === 'database' ? vscode.l10n.t('database') : vscode.l10n.t('page')} "${escapeMarkdown(c.target.title)}"`,
      )
      .join('\n'),
  );
  return { metadata: { needsConnection: { prompt: request.prompt, command: request.command } } satisfies ChatMetadata };
}

/** One follow-up per connection when the last prompt named none: the same prompt, into that one. */
export function followups(deps: WorkflowDeps, result: vscode.ChatResult): vscode.ChatFollowup[] {
  const waiting = (result.metadata as ChatMetadata | undefined)?.needsConnection;
  if (!waiting) return [];
  const type = kindOf(waiting.command);
  return deps.connections
    .list()
    .filter((c) => !type || c.type === type)
    .slice(0, 6)
    .map((c) => ({
      prompt: `${waiting.prompt} ${intoPhrase(c.name)}`,
      label: vscode.l10n.t('Write into "{0}"', c.name),
      command: waiting.command,
    }));
}

/** A new answer into `connection`, through the one generation flow, with the connection's write mode and the chat's model. */
function write(
  deps: WorkflowDeps,
  request: vscode.ChatRequest,
  connection: Connection,
  prompt: string,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<vscode.ChatResult> {
  const title = connection.target.title || connection.name;
  const progress =
    connection.type === 'database'
      ? vscode.l10n.t('Adding an entry to "{0}"…', connection.name)
      : vscode.l10n.t('Writing to "{0}"…', title);
  return run(deps, request, { connection, prompt }, progress, stream, token);
}

/** A follow-up: the earlier answer rewritten as asked, in place of exactly the blocks it wrote (where they are in the page). */
function rewrite(
  deps: WorkflowDeps,
  request: vscode.ChatRequest,
  earlier: GenerationRecord,
  connection: Connection,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<vscode.ChatResult> {
  if (!offersUndo(earlier, deps.generations.list())) {
    // Nothing of it is left to rewrite: the new answer is written as a new one.
    return write(deps, request, connection, request.prompt, stream, token);
  }
  const progress = vscode.l10n.t('Rewriting what the last answer wrote to "{0}"…', earlier.page.title);
  return run(
    deps,
    request,
    {
      connection,
      prompt: rewritePrompt(request.prompt, earlier.markdown),
      into: { id: earlier.page.id, title: earlier.page.title },
      plan: { mode: 'replace', replacing: earlier.blockIds ?? [] },
    },
    progress,
    stream,
    token,
  );
}

/** One chat turn through the one generation flow: the chat's model, its text streamed into the chat, `progress` shown while it runs. */
async function run(
  deps: WorkflowDeps,
  request: vscode.ChatRequest,
  target: Pick<GenerateRequest, 'connection' | 'prompt' | 'into' | 'plan'>,
  progress: string,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<vscode.ChatResult> {
  const generated = await generate(deps, {
    ...target,
    engine: 'vscode-lm',
    model: request.model.id,
    source: chatModelEngine(request.model),
    onText: (t) => stream.markdown(t),
    running: (_title, go) => {
      stream.progress(progress);
      return go(signalOf(token), () => undefined);
    },
  });
  return generated.started ? finish(deps, generated.result, stream) : {};
}

/** How it ended, in describeOutcome's words, with its actions as buttons; the record id for a follow-up. */
function finish(deps: WorkflowDeps, result: RunResult, stream: vscode.ChatResponseStream): vscode.ChatResult {
  const seen = describeOutcome(result, deps.generations.list());
  stream.markdown(`\n\n---\n${seen.level === 'info' ? '' : '⚠ '}${escapeMarkdown(seen.message)}`);
  for (const action of seen.actions) {
    const command = buttonFor(action);
    if (command) stream.button(command);
  }
  return { metadata: { recordId: result.record.id } satisfies ChatMetadata };
}

function buttonFor(action: OutcomeAction): vscode.Command | undefined {
  switch (action.kind) {
    case 'open':
      return { command: 'vscode.open', title: action.label, arguments: [vscode.Uri.parse(action.url)] };
    case 'undo':
      return { command: Commands.undoLastGeneration, title: action.label, arguments: [{ recordId: action.recordId }] };
    case 'retryWrite':
      return { command: Commands.retryWrite, title: action.label, arguments: [action.recordId] };
    case 'generate':
      return {
        command: Commands.generateToPage,
        title: action.label,
        arguments: [{ connectionId: action.connectionId, prompt: action.prompt }],
      };
    case 'command':
      return { command: action.command, title: action.label };
    case 'setNotionSecret':
      return { command: Commands.setNotionSecret, title: action.label };
    case 'showLog':
      return { command: Commands.showLog, title: action.label };
    default:
      return undefined;
  }
}

const escapeMarkdown = (value: string) => value.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
