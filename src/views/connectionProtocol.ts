/**
 * The messages between the connection form (media/webview/connection) and its host (connectionPanel.ts).
 * Imported by both sides: the webview imports types only, so valibot stays out of its bundle.
 *
 * The envelope (`ready`, `state`, requests and their `reply`, `rejected`) is the one every form speaks:
 * webviewProtocol.ts. While a generation runs the host sends deltas after the `state`: `runStarted`,
 * `text`, `progress`, `result`. The requests here are `validate`, `create`, `undo`, `historyContent`,
 * `headings`, `saveTemplate` and `deleteTemplate`.
 *
 * No key ever crosses: the state carries only whether each one is set.
 */
import * as v from 'valibot';
import { SET_KEY_COMMANDS, type EngineKind, type SetKeyCommand } from '../services/engines/registry';
import { LIMITS, type LimitedField } from './formLimits';
import {
  engineSchema as engine,
  parseMessage,
  readySchema,
  requestIdSchema as requestId,
  runCommandSchema,
  writeModeSchema as writeMode,
  type CommandAction as WebviewCommandAction,
  type HostEnvelope,
  type ParsedMessage,
  type RequestOf,
  type WriteMode,
} from './webviewProtocol';

export type { WriteMode } from './webviewProtocol';

export { CONNECTION_VIEW_TYPE } from './formViewTypes';

export type { EngineKind } from '../services/engines/registry';
export type ConnectionType = 'page' | 'database';

/** Commands the form may run: only those that set a key or do what the form points to. */
export type FormCommand =
  'visen.setNotionSecret' | SetKeyCommand | 'visen.fillDatabase' | 'visen.showLog' | 'visen.openSettings' | 'visen.selectModel';
export const FORM_COMMANDS: readonly FormCommand[] = [
  'visen.setNotionSecret',
  ...SET_KEY_COMMANDS,
  'visen.fillDatabase',
  'visen.showLog',
  'visen.openSettings',
  'visen.selectModel',
];

// ---------------------------------------------------------------------------------------------------
// webview → host, validated on arrival

const connectionType = v.picklist(['page', 'database']);
const recordId = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.recordId));
/** Generous limits (formLimits.ts, also the page's `maxlength`): a pasted URL or a long prompt is fine, a megabyte is not. */
const url = v.pipe(v.string(), v.maxLength(LIMITS.url));
const name = v.pipe(v.string(), v.maxLength(LIMITS.name));
const model = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(LIMITS.model));
const prompt = v.pipe(v.string(), v.maxLength(LIMITS.prompt));
const templateName = v.pipe(v.string(), v.maxLength(LIMITS.templateName));

const WebviewMessageSchema = v.variant('type', [
  readySchema,
  /** Check a URL for step 1; answered with a `reply` whose result is a `ValidationResult`. */
  v.strictObject({ type: v.literal('validate'), requestId, connectionType, url }),
  /** Step 1's Next; answered with a `reply` (result: `{ connectionId }`) and then a fresh `state`. */
  v.strictObject({ type: v.literal('create'), requestId, name, connectionType, url }),
  /** The engine, model and write mode chosen for this connection (saved on it). */
  v.strictObject({ type: v.literal('settings'), engine: v.optional(engine), model: v.optional(model), writeMode: v.optional(writeMode) }),
  /** `heading`: with write mode `afterHeading`, the block id of the heading chosen (absent: asked as the run starts). */
  v.strictObject({
    type: v.literal('generate'),
    prompt: v.pipe(prompt, v.trim(), v.minLength(1)),
    engine,
    model,
    writeMode,
    heading: v.optional(recordId),
  }),
  /** The page's top-level headings, for "After a heading"; answered with a `reply` whose result is `HeadingView[]`. */
  v.strictObject({ type: v.literal('headings'), requestId }),
  v.strictObject({ type: v.literal('cancel') }),
  v.strictObject({ type: v.literal('retryWrite'), recordId }),
  /** Opens the connection's target, or the page of a generation. */
  v.strictObject({ type: v.literal('openInNotion'), recordId: v.optional(recordId) }),
  v.strictObject({ type: v.literal('undo'), requestId, recordId }),
  /** The generated text of one history entry; answered with a `reply` whose result is a string. */
  v.strictObject({ type: v.literal('historyContent'), requestId, recordId }),
  /** Saves the prompt box as a template of the connection (a name already there is overwritten); answered with a `reply` (result: `{ replaced }`). */
  v.strictObject({ type: v.literal('saveTemplate'), requestId, templateName, prompt }),
  /** Gives a template of the connection another name (a name another template has is refused); answered with a `reply` (result: `{ name }`). */
  v.strictObject({ type: v.literal('renameTemplate'), requestId, templateName, newName: templateName }),
  /** Deletes a template of the connection; answered with a `reply` (result: `{ deleted }`). */
  v.strictObject({ type: v.literal('deleteTemplate'), requestId, templateName }),
  runCommandSchema(FORM_COMMANDS),
]);

export type WebviewMessage = v.InferOutput<typeof WebviewMessageSchema>;
export type WebviewRequest = RequestOf<WebviewMessage>;

/**
 * `problem` names the first thing wrong, for the log (never a value); `error` says it to the user and
 * `field` names the field of the form it belongs to, when one does.
 */
export type ParsedWebviewMessage = ParsedMessage<WebviewMessage>;

const LIMITED_FIELDS: Readonly<Record<string, LimitedField>> = {
  url: 'url',
  name: 'name',
  model: 'model',
  prompt: 'prompt',
  templateName: 'templateName',
  newName: 'templateName',
};

/** Validates a message from the webview. */
export function parseWebviewMessage(raw: unknown): ParsedWebviewMessage {
  return parseMessage(WebviewMessageSchema, raw, (path) =>
    path.length === 1 ? { field: path[0], limit: LIMITED_FIELDS[path[0]] } : undefined,
  );
}

// ---------------------------------------------------------------------------------------------------
// host → webview (trusted, typed only)

/** A button that runs one of the form's commands, e.g. "Set Gemini API Key". */
export type CommandAction = WebviewCommandAction<FormCommand>;

type ValidationProblem =
  | 'empty'
  | 'notNotion' // not a Notion link or id at all
  | 'notShared' // Notion can't see it: share it with the integration
  | 'isDatabase' // a database given for a page
  | 'isPage' // a page given for a database
  | 'noSecret' // no Notion secret stored yet
  | 'unauthorized' // the stored secret is rejected
  | 'other';

export type ValidationResult =
  | { readonly ok: true; readonly id: string; readonly title: string; readonly url: string; readonly existingConnection?: string }
  | { readonly ok: false; readonly problem: ValidationProblem; readonly message: string; readonly action?: CommandAction };

export interface EngineView {
  readonly kind: EngineKind;
  readonly label: string;
  /** Whether its key is stored: never the key. */
  readonly keySet: boolean;
  /** The model the settings choose for it. */
  readonly defaultModel: string;
  /** Models to suggest in the model box. */
  readonly suggestedModels: readonly string[];
  /** What sets the engine up: its set-key command, or Select Model for an engine that needs no key. */
  readonly setKey: CommandAction;
}

export interface ConnectionView {
  readonly id: string;
  readonly name: string;
  readonly type: ConnectionType;
  readonly typeLabel: string;
  readonly target: { readonly title: string; readonly url: string };
  readonly engine: EngineKind;
  readonly model: string;
  readonly writeMode: WriteMode;
  readonly lastPrompt?: string;
  /** Its prompt templates, in the order saved; the prompts as typed (variables unfilled). Absent: none. */
  readonly templates?: readonly TemplateView[];
  /** "3 prompts · 2 hours ago". */
  readonly usage: string;
}

export interface TemplateView {
  readonly name: string;
  readonly prompt: string;
}

type RecordStatus = 'generating' | 'written' | 'writeFailed' | 'cancelled' | 'failed' | 'interrupted';

export interface HistoryItem {
  readonly id: string;
  readonly prompt: string;
  readonly createdAt: string;
  /** "2 hours ago". */
  readonly when: string;
  /** "Google Gemini · gemini-2.5-flash". */
  readonly engine: string;
  readonly blocks: number;
  readonly writtenBlocks: number;
  readonly status: RecordStatus;
  /** "Written", "Write failed: 3 of 7 blocks", … */
  readonly statusLabel: string;
  readonly mode: WriteMode;
  readonly undone: boolean;
  /** Only the latest written generation of the connection can be undone, and only with a full snapshot. */
  readonly canUndo: boolean;
  readonly canRetry: boolean;
}

export interface ProgressView {
  readonly phase: 'waiting' | 'starting' | 'generating' | 'writing';
  readonly generatedChars: number;
  readonly blocks: number;
  readonly writtenBlocks: number;
  /** "Asking Google Gemini (gemini-2.5-flash)…", "4 of 7 blocks in Notion". */
  readonly label: string;
}

export type ResultStatus = 'written' | 'writeFailed' | 'cancelled' | 'failed' | 'missingKey' | 'notStarted' | 'undone';

export interface ResultView {
  readonly status: ResultStatus;
  /** What happened and what to do: "Wrote 12 blocks to Launch Plan." */
  readonly message: string;
  readonly recordId?: string;
  readonly pageTitle?: string;
  readonly writtenBlocks?: number;
  readonly blocks?: number;
  readonly canOpen: boolean;
  readonly canRetry: boolean;
  /** The generation changed the page and can be undone from here. */
  readonly canUndo?: boolean;
  readonly action?: CommandAction;
  /** The connections database could not be updated (the generation itself went fine). */
  readonly warning?: string;
}

/** The generation (or retried write) in progress, or the last one's result, for a webview that (re)loads. */
export interface RunView {
  readonly runId: number;
  readonly kind: 'generate' | 'retryWrite';
  readonly running: boolean;
  readonly prompt: string;
  readonly text: string;
  readonly progress?: ProgressView;
  readonly result?: ResultView;
}

export interface FormState {
  /** Absent: a new connection, step 1. */
  readonly connection?: ConnectionView;
  readonly notionSecretSet: boolean;
  readonly setNotionSecret: CommandAction;
  readonly engines: readonly EngineView[];
  /** The engine and write mode the settings choose, for connections that chose none. */
  readonly defaultEngine: EngineKind;
  readonly defaultWriteMode: WriteMode;
  readonly history: readonly HistoryItem[];
  readonly run?: RunView;
}

export type HostMessage =
  | HostEnvelope<FormState>
  | { readonly type: 'runStarted'; readonly run: RunView }
  | { readonly type: 'text'; readonly runId: number; readonly text: string }
  | { readonly type: 'progress'; readonly runId: number; readonly progress: ProgressView }
  | { readonly type: 'result'; readonly runId: number; readonly result: ResultView };

/** What each request resolves to in the webview. */
export interface ReplyResults {
  readonly validate: ValidationResult;
  readonly create: { readonly connectionId: string };
  readonly undo: { readonly undone: boolean };
  readonly historyContent: string;
  readonly saveTemplate: { readonly replaced: boolean };
  readonly renameTemplate: { readonly name: string };
  readonly deleteTemplate: { readonly deleted: boolean };
  readonly headings: readonly HeadingView[];
}

/** A top-level heading of the connection's page: "After a heading" writes right after it. */
interface HeadingView {
  readonly id: string;
  readonly level: 1 | 2 | 3 | 4;
  readonly text: string;
}

/** What the webview keeps with vscode.setState across reloads: form input only, never a key. */
export interface PersistedFormState {
  readonly connectionId?: string;
  readonly name?: string;
  readonly connectionType?: ConnectionType;
  readonly url?: string;
  readonly prompt?: string;
  readonly engine?: EngineKind;
  readonly model?: string;
  readonly writeMode?: WriteMode;
  readonly expanded?: readonly string[];
}
