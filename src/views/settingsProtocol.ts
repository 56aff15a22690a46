/**
 * The messages between the settings form (media/webview/settings) and its host (settingsPanel.ts,
 * settingsFormController.ts). Imported by both sides: the webview imports types only, so valibot stays
 * out of its bundle.
 *
 * Handshake and requests work as in the connection form (connectionProtocol.ts): the webview posts `ready`
 * whenever its page (re)loads and the host answers with a full `state`, sent again whenever the settings or
 * the stored keys change; `save` and `listModels` carry a `requestId` answered by exactly one `reply`.
 *
 * Keys travel one way only, webview → host, once, inside `save`: the host never sends a key back, not even
 * masked. Its state says only whether each key is set.
 */
import * as v from 'valibot';
import { ENGINE_KINDS, type EngineKind } from '../services/engines/registry';
import { LIMITS, tooLongMessage, unreadableRequestMessage, type LimitedField } from './formLimits';

export { LIMITS } from './formLimits';

export const SETTINGS_VIEW_TYPE = 'visen.settings';

export type { EngineKind } from '../services/engines/registry';
export type WriteMode = 'append' | 'replace';

/** The keys the form can replace or remove, by the service they unlock. */
export type KeyName = 'notion' | 'gemini' | 'openai';
export const KEY_NAMES: readonly KeyName[] = ['notion', 'gemini', 'openai'];

/** The settings the form edits, as in settings.json (base URLs as written, without any test override). */
export interface SettingsValues {
  readonly connectionsDatabase: string;
  readonly engine: EngineKind;
  readonly geminiModel: string;
  readonly openaiModel: string;
  /** `visen.vscodeLm.model`: a family or id; empty = the first model VS Code offers. */
  readonly vscodeLmModel?: string;
  readonly openaiBaseUrl: string;
  readonly geminiBaseUrl: string;
  readonly notionApiBaseUrl: string;
  readonly writeMode: WriteMode;
  readonly instructions: string;
  /** Prompts per month before Visen asks; 0 = no limit. */
  readonly promptBudget: number;
}

export type SettingName = keyof SettingsValues;
export const SETTING_NAMES: readonly SettingName[] = [
  'connectionsDatabase', 'engine', 'geminiModel', 'openaiModel', 'vscodeLmModel', 'openaiBaseUrl', 'geminiBaseUrl', 'notionApiBaseUrl', 'writeMode', 'instructions', 'promptBudget',
];

/** A field of the form that can carry an error: a setting or a key. */
export type FieldName = SettingName | KeyName;

/** Commands the form may run. */
export const SETTINGS_COMMANDS = ['visen.createConnectionsDatabase', 'visen.showLog'] as const;
export type SettingsCommand = (typeof SETTINGS_COMMANDS)[number];

// ---------------------------------------------------------------------------------------------------
// webview → host, validated on arrival. Limits are generous; what a value means (a URL, a whole number)
// is checked by the host, which answers with an error next to the field.

const requestId = v.pipe(v.number(), v.integer(), v.minValue(0));
const engine = v.picklist(ENGINE_KINDS);
const keyName = v.picklist(['notion', 'gemini', 'openai']);
const link = v.pipe(v.string(), v.maxLength(LIMITS.url));
const baseUrl = v.pipe(v.string(), v.maxLength(LIMITS.baseUrl));
const modelName = v.pipe(v.string(), v.maxLength(LIMITS.model));
const keyValue = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(LIMITS.key));

/** Only the fields the user changed; absent ones are left as they are. */
const SettingsChangesSchema = v.strictObject({
  connectionsDatabase: v.optional(link),
  engine: v.optional(engine),
  geminiModel: v.optional(modelName),
  openaiModel: v.optional(modelName),
  vscodeLmModel: v.optional(modelName),
  openaiBaseUrl: v.optional(baseUrl),
  geminiBaseUrl: v.optional(baseUrl),
  notionApiBaseUrl: v.optional(baseUrl),
  writeMode: v.optional(v.picklist(['append', 'replace'])),
  instructions: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.instructions))),
  promptBudget: v.optional(v.number()),
});

/** New values for keys, each checked with its service before it is stored. */
const KeyChangesSchema = v.strictObject({
  notion: v.optional(keyValue),
  gemini: v.optional(keyValue),
  openai: v.optional(keyValue),
});

export const SettingsWebviewMessageSchema = v.variant('type', [
  v.strictObject({ type: v.literal('ready') }),
  /** Answered with a `reply` whose result is a `SaveResult`, then a fresh `state`. */
  v.strictObject({ type: v.literal('save'), requestId, settings: SettingsChangesSchema, keys: KeyChangesSchema }),
  /** The models the stored key of `engine` can use; answered with a `reply` whose result is a `ModelList`. */
  v.strictObject({ type: v.literal('listModels'), requestId, engine }),
  v.strictObject({ type: v.literal('removeKey'), key: keyName }),
  /** Clears every key, once the user confirms. */
  v.strictObject({ type: v.literal('clearKeys') }),
  v.strictObject({ type: v.literal('runCommand'), command: v.picklist(SETTINGS_COMMANDS) }),
]);

export type SettingsWebviewMessage = v.InferOutput<typeof SettingsWebviewMessageSchema>;
export type SettingsWebviewRequest = Extract<SettingsWebviewMessage, { requestId: number }>;
export type SettingsChanges = v.InferOutput<typeof SettingsChangesSchema>;
export type KeyChanges = v.InferOutput<typeof KeyChangesSchema>;

/** `problem` is for the log (never the value); `error` is for the user, next to `field` (a `FieldName`) when there is one. */
export type ParsedSettingsMessage = { ok: true; message: SettingsWebviewMessage } | { ok: false; problem: string; error: string; field?: FieldName };

const LIMITED_FIELDS: Readonly<Partial<Record<FieldName, LimitedField>>> = {
  connectionsDatabase: 'url',
  geminiModel: 'model',
  openaiModel: 'model',
  vscodeLmModel: 'model',
  openaiBaseUrl: 'baseUrl',
  geminiBaseUrl: 'baseUrl',
  notionApiBaseUrl: 'baseUrl',
  instructions: 'instructions',
  notion: 'key',
  gemini: 'key',
  openai: 'key',
};

/** Validates a message from the webview. */
export function parseSettingsMessage(raw: unknown): ParsedSettingsMessage {
  const result = v.safeParse(SettingsWebviewMessageSchema, raw);
  if (result.success) return { ok: true, message: result.output };
  const issue = result.issues[0];
  const where = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  const problem = `${where ? `${where}: ` : ''}${issue.expected ? `expected ${issue.expected}` : 'invalid'}`;
  // settings.<name> or keys.<name>: the field of the form.
  const key = issue.path?.length === 2 ? String(issue.path[1].key) : undefined;
  const field = key && key in LIMITED_FIELDS ? (key as FieldName) : undefined;
  const limited = field ? LIMITED_FIELDS[field] : undefined;
  if (issue.type === 'max_length' && limited && typeof issue.input === 'string') {
    // The key itself is never quoted: only its length.
    return { ok: false, problem, field, error: tooLongMessage(limited, issue.input.length) };
  }
  return { ok: false, problem, field, error: unreadableRequestMessage() };
}

// ---------------------------------------------------------------------------------------------------
// host → webview (trusted, typed only)

export interface KeyView {
  readonly name: KeyName;
  /** "Notion integration secret", "Gemini API key". */
  readonly label: string;
  /** Whether it is stored: never the key. */
  readonly set: boolean;
}

export interface SettingsState {
  readonly values: SettingsValues;
  readonly keys: readonly KeyView[];
  /** The model each engine uses when its setting is empty. */
  readonly defaultModels: Readonly<Partial<Record<EngineKind, string>>>;
  /** The engines to choose from, from the engine registry (absent: Gemini and OpenAI). */
  readonly engines?: readonly EngineChoice[];
}

export interface EngineChoice {
  readonly kind: EngineKind;
  readonly label: string;
  /** The form field of its model setting. */
  readonly modelSetting: SettingName;
  /** Whether it needs a key (its key field is then `key-<kind>`). */
  readonly needsKey: boolean;
}

export interface SaveResult {
  /** What went wrong, by field; a field with an error kept its old value. */
  readonly errors: Partial<Record<FieldName, string>>;
  /** The fields written or stored. */
  readonly saved: readonly FieldName[];
  /** One line for the status area: "Saved.", "Nothing was saved: …". */
  readonly message: string;
}

export interface ModelOption {
  readonly id: string;
  readonly label?: string;
}

export interface ModelList {
  readonly engine: EngineKind;
  readonly models: readonly ModelOption[];
}

export type SettingsHostMessage =
  | { readonly type: 'state'; readonly state: SettingsState }
  | { readonly type: 'reply'; readonly requestId: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly requestId: number; readonly ok: false; readonly error: string; readonly field?: string }
  | { readonly type: 'rejected'; readonly messageType: string; readonly error: string; readonly field?: string };

/** What each request resolves to in the webview. */
export interface SettingsReplyResults {
  readonly save: SaveResult;
  readonly listModels: ModelList;
}

/**
 * What the webview keeps with vscode.setState across reloads: the settings the user changed and has not
 * saved. Never a key: typed keys are dropped with the page.
 */
export interface PersistedSettingsDraft {
  readonly changes?: { readonly [K in SettingName]?: SettingsValues[K] };
  readonly advancedOpen?: boolean;
}
