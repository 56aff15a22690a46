/**
 * The messages between the settings form (media/webview/settings) and its host (settingsPanel.ts,
 * settingsFormController.ts). Imported by both sides: the webview imports types only, so valibot stays
 * out of its bundle.
 *
 * The envelope (`ready`, `state`, requests and their `reply`, `rejected`) is the one every form speaks:
 * webviewProtocol.ts. The state is sent again whenever the settings or the stored keys change; `save` and
 * `listModels` are requests.
 *
 * The engines come from the engine registry: the state lists each with its model, its key field and its
 * base URL field, `save` names the engine of each model it changes, and the key and base URL fields are
 * named after the engine (`key-<kind>`, `<kind>BaseUrl`), so an engine added to the registry needs nothing
 * here or in the page.
 *
 * Keys travel one way only, webview → host, once, inside `save`: the host never sends a key back, not even
 * masked. Its state says only whether each key is set.
 */
import * as v from 'valibot';
import {
  isEngineKind,
  KEYED_ENGINE_KINDS,
  SERVER_ENGINE_KINDS,
  type EngineKind,
  type KeyedEngineKind,
  type ServerEngineKind,
} from '../services/engines/registry';
import { LIMITS, type LimitedField } from './formLimits';
import {
  engineSchema as engine,
  modelNameSchema as modelName,
  parseMessage,
  readySchema,
  requestIdSchema as requestId,
  runCommandSchema,
  writeModeSchema,
  type HostEnvelope,
  type ParsedMessage,
  type RequestOf,
  type WriteMode,
} from './webviewProtocol';

export type { WriteMode } from './webviewProtocol';

export { SETTINGS_VIEW_TYPE } from './formViewTypes';

export type { EngineKind } from '../services/engines/registry';

/** The keys the form can replace or remove, by the service they unlock: Notion and each engine that needs a key. */
export type KeyName = 'notion' | KeyedEngineKind;
export const KEY_NAMES: readonly KeyName[] = ['notion', ...KEYED_ENGINE_KINDS];

/** The form field of an engine's base URL: `openaiBaseUrl` (also the id of its input). */
export type BaseUrlField = `${ServerEngineKind}BaseUrl`;
export const baseUrlField = (kind: ServerEngineKind): BaseUrlField => `${kind}BaseUrl`;
/** The engines' base URL fields, in the registry's order. */
export const BASE_URL_FIELDS: readonly BaseUrlField[] = SERVER_ENGINE_KINDS.map(baseUrlField);

/** The settings the form edits, as in settings.json (base URLs as written, without any test override); models are per engine (`EngineChoice`). */
export type SettingsValues = {
  readonly connectionsDatabase: string;
  readonly engine: EngineKind;
  readonly notionApiBaseUrl: string;
  readonly writeMode: WriteMode;
  readonly instructions: string;
  /** Prompts per month before Visen asks; 0 = no limit. */
  readonly promptBudget: number;
} & { readonly [F in BaseUrlField]: string };

export type SettingName = keyof SettingsValues;

/** The form field of an engine's model: `model-gemini`, `model-vscode-lm` (also the id of its input). */
export type ModelField = `model-${EngineKind}`;

/** A field of the form that can carry an error: a setting, an engine's model or a key. */
export type FieldName = SettingName | ModelField | KeyName;

/** Commands the form may run. */
const SETTINGS_COMMANDS = ['visen.createConnectionsDatabase', 'visen.showLog'] as const;
export type SettingsCommand = (typeof SETTINGS_COMMANDS)[number];

// ---------------------------------------------------------------------------------------------------
// webview → host, validated on arrival. Limits are generous; what a value means (a URL, a whole number)
// is checked by the host, which answers with an error next to the field.

const keyName = v.picklist(KEY_NAMES);
const link = v.pipe(v.string(), v.maxLength(LIMITS.url));
const baseUrl = v.pipe(v.string(), v.maxLength(LIMITS.baseUrl));
const keyValue = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(LIMITS.key));

/** One optional entry per name: the fields that follow the registry (each engine's base URL or key). */
function optionalEntries<N extends string, S extends v.GenericSchema>(
  names: readonly N[],
  schema: S,
): Record<N, v.OptionalSchema<S, undefined>> {
  return Object.fromEntries(names.map((name) => [name, v.optional(schema)])) as Record<N, v.OptionalSchema<S, undefined>>;
}

/** Only the fields the user changed; absent ones are left as they are. */
const SettingsChangesSchema = v.strictObject({
  connectionsDatabase: v.optional(link),
  engine: v.optional(engine),
  ...optionalEntries(BASE_URL_FIELDS, baseUrl),
  notionApiBaseUrl: v.optional(baseUrl),
  writeMode: v.optional(writeModeSchema),
  instructions: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.instructions))),
  promptBudget: v.optional(v.number()),
});

/** The models the user changed, by engine (empty = the engine's default). */
const ModelChangesSchema = v.record(engine, modelName);

/** New values for keys, each checked with its service before it is stored. */
const KeyChangesSchema = v.strictObject(optionalEntries(KEY_NAMES, keyValue));

const SettingsWebviewMessageSchema = v.variant('type', [
  readySchema,
  /** Answered with a `reply` whose result is a `SaveResult`, then a fresh `state`. */
  v.strictObject({
    type: v.literal('save'),
    requestId,
    settings: SettingsChangesSchema,
    models: v.optional(ModelChangesSchema),
    keys: KeyChangesSchema,
  }),
  /** The models the stored key of `engine` can use; answered with a `reply` whose result is a `ModelList`. */
  v.strictObject({ type: v.literal('listModels'), requestId, engine }),
  v.strictObject({ type: v.literal('removeKey'), key: keyName }),
  /** Clears every key, once the user confirms. */
  v.strictObject({ type: v.literal('clearKeys') }),
  runCommandSchema(SETTINGS_COMMANDS),
]);

export type SettingsWebviewMessage = v.InferOutput<typeof SettingsWebviewMessageSchema>;
export type SettingsWebviewRequest = RequestOf<SettingsWebviewMessage>;
export type SettingsChanges = v.InferOutput<typeof SettingsChangesSchema>;
export type ModelChanges = v.InferOutput<typeof ModelChangesSchema>;
export type KeyChanges = v.InferOutput<typeof KeyChangesSchema>;

/** `problem` is for the log (never the value); `error` is for the user, next to `field` (a `FieldName`) when there is one. */
export type ParsedSettingsMessage = ParsedMessage<SettingsWebviewMessage, FieldName>;

const LIMITED_FIELDS: Readonly<Partial<Record<SettingName | KeyName, LimitedField>>> = {
  connectionsDatabase: 'url',
  notionApiBaseUrl: 'baseUrl',
  instructions: 'instructions',
  ...Object.fromEntries(BASE_URL_FIELDS.map((field) => [field, 'baseUrl'])),
  ...Object.fromEntries(KEY_NAMES.map((name) => [name, 'key'])),
};

/** The field of `settings.<name>`, `models.<engine>` or `keys.<name>`. */
function fieldOf(path: readonly string[]): { field: FieldName; limit?: LimitedField } | undefined {
  if (path.length !== 2) return undefined;
  const [group, key] = path;
  if (group === 'models') return isEngineKind(key) ? { field: `model-${key}`, limit: 'model' } : undefined;
  if (group !== 'settings' && group !== 'keys') return undefined;
  // The key itself is never quoted: only its length.
  return key in LIMITED_FIELDS ? { field: key as SettingName | KeyName, limit: LIMITED_FIELDS[key as SettingName | KeyName] } : undefined;
}

/** Validates a message from the webview. */
export function parseSettingsMessage(raw: unknown): ParsedSettingsMessage {
  return parseMessage(SettingsWebviewMessageSchema, raw, fieldOf);
}

// ---------------------------------------------------------------------------------------------------
// host → webview (trusted, typed only)

export interface KeyView {
  readonly name: KeyName;
  /** "Notion token", "Gemini API key". */
  readonly label: string;
  /** Whether it is stored: never the key. */
  readonly set: boolean;
}

export interface SettingsState {
  readonly values: SettingsValues;
  readonly keys: readonly KeyView[];
  /** The engines to choose from and their models, from the engine registry, in its order. */
  readonly engines: readonly EngineChoice[];
}

/** An engine of the registry as the form shows it: one row with its model. */
export interface EngineChoice {
  readonly kind: EngineKind;
  /** "Google Gemini". */
  readonly label: string;
  /** The setting its model is saved in: `visen.gemini.model`. */
  readonly setting: string;
  /** The model it uses: the setting, or its default when the setting is empty. */
  readonly model: string;
  /** The model it uses when the setting is empty ('' = the first one the provider offers). */
  readonly defaultModel: string;
  /** Models to suggest before the live list is known. */
  readonly suggestedModels: readonly string[];
  /** The name its key goes by ("Gemini" in "your Gemini key"); absent: it needs no key. */
  readonly keyName?: string;
  /** Its key field (`#key-<kind>`), for an engine that needs a key; whether the key is set is in `keys`. */
  readonly keyField?: KeyField;
  /** Its base URL field under Advanced (`#<kind>BaseUrl`), for an engine that talks to a server. */
  readonly endpoint?: EndpointField;
}

export interface KeyField {
  /** "Gemini API key". */
  readonly title: string;
  /** Where to get a key. */
  readonly hint: string;
  /** The Remove button's accessible name: "Remove the Gemini API key". */
  readonly removeLabel: string;
}

interface EndpointField {
  readonly field: BaseUrlField;
  /** "OpenAI base URL". */
  readonly label: string;
  /** What else it may point at. */
  readonly hint: string;
  /** The official address, shown in the empty field. */
  readonly placeholder: string;
}

export interface SaveResult {
  /** What went wrong, by field; a field with an error kept its old value. */
  readonly errors: Partial<Record<FieldName, string>>;
  /** The fields written or stored. */
  readonly saved: readonly FieldName[];
  /** One line for the status area: "Saved.", "Nothing was saved: …". */
  readonly message: string;
}

interface ModelOption {
  readonly id: string;
  readonly label?: string;
}

export interface ModelList {
  readonly engine: EngineKind;
  readonly models: readonly ModelOption[];
}

export type SettingsHostMessage = HostEnvelope<SettingsState>;

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
  /** Models changed and not saved, by engine. */
  readonly models?: ModelChanges;
  readonly advancedOpen?: boolean;
}
