/**
 * Every engine Visen can generate with, as data: one descriptor per engine. Engine kinds, labels, secret
 * names, default models, the settings each engine reads, the set-key commands and the engine lists of the
 * forms and of the connections database are all derived from this table. Adding an engine means its own
 * module, one entry here and its lines in package.json.
 *
 * Plain data, no `vscode` and no engine SDK: loading it costs nothing at activation.
 */
import * as l10n from '@vscode/l10n';
import { catalogFallback, catalogSuggestions, recommendedFrom, today, type CatalogProvider } from './modelCatalog';

/** How an engine's default model is chosen when its model setting is empty. */
export interface DefaultModelRule {
  /**
   * The model used before any key was checked (the live list is not known yet); empty = the first model the
   * provider offers. From the model catalog: its first recommended model not shut down.
   */
  readonly fallback: string;
  /**
   * Picks the default from the live list (ids without `models/`, in the order the engine lists them);
   * undefined when no model fits, and then Visen asks. `official`: the provider's own API rather than a
   * compatible server.
   */
  readonly pick?: (ids: readonly string[], official: boolean) => string | undefined;
}

/**
 * The default of a provider in the model catalog: its first recommended model the live list has (never one
 * past its shutdown date), else none (Visen asks). `otherServers: 'first'`: a server other than the
 * provider's serves models of its own (Ollama, LM Studio), so with nothing recommended its first model is the
 * default; `'catalog'`: other servers are proxies of the provider's own models, ranked the same way.
 */
function catalogRule(provider: CatalogProvider, otherServers: 'first' | 'catalog'): DefaultModelRule {
  return {
    fallback: catalogFallback(provider),
    pick: (ids, official) =>
      recommendedFrom(
        provider,
        ids.map((id) => ({ id })),
      ) ?? (official || otherServers === 'catalog' ? undefined : ids[0]),
  };
}

/** An engine that needs a key: where it is kept and how a person gets and sets one. */
export interface EngineKey {
  /** The SecretStorage key. */
  readonly secret: string;
  /** "Gemini" in "Gemini API key" and "Set Gemini API Key". */
  readonly name: string;
  /** Where to get a key. */
  readonly helpUrl: string;
  /** What a key looks like, shown in the empty input box. */
  readonly placeholder: string;
  /** The command that asks for the key, checks it and stores it. */
  readonly setKeyCommand: string;
  /** The set-key command's title as a button, a whole sentence for translators: "Set Gemini API Key". */
  readonly setKeyLabel: () => string;
  /** The set-key input box's prompt and the settings form's hint under the key field: where to get a key. */
  readonly prompt: () => string;
  /** What the set-key box and the settings form say when the provider rejects a key. */
  readonly rejected: () => string;
  /**
   * The key may be left empty when the base URL setting points at another server than the official one
   * (servers that need none, e.g. Ollama or LM Studio): requests then go without a key.
   */
  readonly optional?: boolean;
}

export interface EngineSettings {
  /** The model setting, e.g. `visen.gemini.model`. */
  readonly model: string;
  /** The base URL setting (`"scope": "application"`), for engines that talk to a server. */
  readonly baseUrl?: string;
  /** Where requests go when the base URL setting is empty. */
  readonly officialBaseUrl?: string;
  /** What the settings form says under the base URL field: what else it may point at. */
  readonly baseUrlHint?: () => string;
}

export interface EngineDescriptor {
  /** "Google Gemini": shown in lists, progress and messages. */
  readonly label: string;
  /** Absent: the engine needs no key. */
  readonly key?: EngineKey;
  readonly defaultModel: DefaultModelRule;
  /** Models the forms suggest before the live list is known. */
  readonly suggestedModels: readonly string[];
  /** The model catalog's provider whose entries rank this engine's live list (modelCatalog.json). */
  readonly catalog?: CatalogProvider;
  readonly settings: EngineSettings;
  /**
   * Where the engine comes from; either way it is a bundle of its own, `dist/engines/<kind>.js`, required on
   * first use. `bundle` = built around its SDK (src/services/engines); `host` = built from the `vscode` API
   * (src/platform), no SDK.
   */
  readonly load: 'bundle' | 'host';
  /** Whether it needs the `vscode` API (then it lives host-side, in src/platform, never in src/services). */
  readonly needsVscode: boolean;
  /** Colour of its option in the connections database's Engine select. */
  readonly color: string;
}

export const ENGINES = {
  gemini: {
    label: 'Google Gemini',
    key: {
      secret: 'visen.gemini.apiKey',
      name: 'Gemini',
      helpUrl: 'https://aistudio.google.com/apikey',
      placeholder: 'AIza…',
      setKeyCommand: 'visen.setGeminiKey',
      setKeyLabel: () => l10n.t('Set Gemini API Key'),
      prompt: () => l10n.t('Paste a Gemini API key from Google AI Studio (aistudio.google.com/apikey).'),
      rejected: () => l10n.t('Gemini rejected the API key. Paste a key from Google AI Studio here.'),
    },
    defaultModel: catalogRule('gemini', 'catalog'),
    catalog: 'gemini',
    suggestedModels: catalogSuggestions('gemini'),
    settings: {
      model: 'visen.gemini.model',
      baseUrl: 'visen.gemini.baseUrl',
      officialBaseUrl: 'https://generativelanguage.googleapis.com',
      baseUrlHint: () => l10n.t('A proxy or gateway for Gemini.'),
    },
    load: 'bundle',
    needsVscode: false,
    color: 'green',
  },
  openai: {
    label: 'OpenAI',
    key: {
      secret: 'visen.openai.apiKey',
      name: 'OpenAI',
      helpUrl: 'https://platform.openai.com/api-keys',
      placeholder: 'sk-…',
      setKeyCommand: 'visen.setOpenAIKey',
      setKeyLabel: () => l10n.t('Set OpenAI API Key'),
      prompt: () => l10n.t('Paste an OpenAI API key from platform.openai.com/api-keys, or the key of your OpenAI-compatible server.'),
      rejected: () => l10n.t('OpenAI rejected the API key. Paste a key from platform.openai.com here.'),
      optional: true,
    },
    defaultModel: catalogRule('openai', 'first'),
    catalog: 'openai',
    suggestedModels: catalogSuggestions('openai'),
    settings: {
      model: 'visen.openai.model',
      baseUrl: 'visen.openai.baseUrl',
      officialBaseUrl: 'https://api.openai.com/v1',
      baseUrlHint: () => l10n.t('Any OpenAI-compatible server: Azure, Ollama (http://localhost:11434/v1), LM Studio, a proxy.'),
    },
    load: 'bundle',
    needsVscode: false,
    color: 'gray',
  },
  'vscode-lm': {
    label: 'VS Code Language Models',
    defaultModel: { fallback: '' },
    suggestedModels: [],
    settings: { model: 'visen.vscodeLm.model' },
    load: 'host',
    needsVscode: true,
    color: 'blue',
  },
} as const satisfies Record<string, EngineDescriptor>;

/** The engines Visen can generate with. */
export type EngineKind = keyof typeof ENGINES;

/** Every engine kind, in the order the forms list them. */
export const ENGINE_KINDS = Object.keys(ENGINES) as EngineKind[];

/** The engine Visen uses when `visen.engine` is unset or names none: the first of the table (package.json's default says the same). */
export const DEFAULT_ENGINE: EngineKind = ENGINE_KINDS[0];

/** The engines that need a key. */
export type KeyedEngineKind = { [K in EngineKind]: (typeof ENGINES)[K] extends { key: EngineKey } ? K : never }[EngineKind];

/** The SecretStorage keys of the engines' keys. */
export type EngineSecretName = (typeof ENGINES)[KeyedEngineKind]['key']['secret'];

/** The engines that talk to a server at a base URL. */
export type ServerEngineKind = { [K in EngineKind]: (typeof ENGINES)[K]['settings'] extends { baseUrl: string } ? K : never }[EngineKind];

export function engine(kind: EngineKind): EngineDescriptor {
  return ENGINES[kind];
}

export function isEngineKind(value: unknown): value is EngineKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ENGINES, value);
}

export function needsKey(kind: EngineKind): kind is KeyedEngineKind {
  return (ENGINES[kind] as EngineDescriptor).key !== undefined;
}

export const KEYED_ENGINE_KINDS = ENGINE_KINDS.filter(needsKey);

export const SERVER_ENGINE_KINDS = ENGINE_KINDS.filter(
  (kind): kind is ServerEngineKind => (ENGINES[kind] as EngineDescriptor).settings.baseUrl !== undefined,
);

/** The secret of an engine that needs a key. */
export function engineSecret(kind: KeyedEngineKind): EngineSecretName {
  return ENGINES[kind].key.secret;
}

export const ENGINE_SECRET_NAMES = KEYED_ENGINE_KINDS.map(engineSecret);

/** The set-key commands of the engines that need a key. */
export type SetKeyCommand = (typeof ENGINES)[KeyedEngineKind]['key']['setKeyCommand'];
export const SET_KEY_COMMANDS: readonly SetKeyCommand[] = KEYED_ENGINE_KINDS.map((kind) => ENGINES[kind].key.setKeyCommand);

export const ENGINE_LABELS = Object.fromEntries(ENGINE_KINDS.map((kind) => [kind, ENGINES[kind].label])) as Record<EngineKind, string>;

/** The model each engine uses when its setting is empty and the live list is not known ('' = the first one offered). */
export const DEFAULT_MODELS = Object.fromEntries(ENGINE_KINDS.map((kind) => [kind, ENGINES[kind].defaultModel.fallback])) as Record<
  EngineKind,
  string
>;

/**
 * The default model by the engine's rule over a live model list (as the engine lists it, current ones
 * first): what the rule picks; undefined when it picks none (nothing recommended in the list: Visen asks).
 * An engine without a rule takes the first model. `official` (default true): the provider's own API.
 */
export function defaultModelFrom(
  kind: EngineKind,
  models: readonly { id: string; shutdown?: string }[],
  options: { official?: boolean } = {},
): string | undefined {
  const rule: DefaultModelRule = ENGINES[kind].defaultModel;
  // A model the live list itself says has shut down (OpenAI's shutdown_date) is never the default.
  const on = today();
  const ids = models.filter((m) => !(m.shutdown && m.shutdown <= on)).map((m) => m.id.replace(/^models\//, ''));
  return rule.pick ? rule.pick(ids, options.official ?? true) : ids[0];
}

/** The catalog that ranks an engine's live list, for an engine the catalog covers. */
export function catalogProvider(kind: EngineKind): CatalogProvider | undefined {
  return (ENGINES[kind] as EngineDescriptor).catalog;
}

/** A connections-database Engine value read back, when it names an engine. */
export function engineKindOf(value: string | undefined): EngineKind | undefined {
  return isEngineKind(value) ? value : undefined;
}

/** "Set Gemini API Key": the title of an engine's set-key command, for buttons. */
export function setKeyLabel(kind: KeyedEngineKind): string {
  return ENGINES[kind].key.setKeyLabel();
}

/** The set-key command of an engine that needs a key, with its button label. */
export function setKeyAction(kind: KeyedEngineKind): { readonly command: SetKeyCommand; readonly label: string } {
  return { command: ENGINES[kind].key.setKeyCommand, label: setKeyLabel(kind) };
}
