import * as vscode from 'vscode';
import { modelDefaultsInUse } from '../services/engines/defaultsInUse';
import {
  DEFAULT_ENGINE,
  DEFAULT_MODELS,
  ENGINES,
  ENGINE_KINDS,
  isEngineKind,
  SERVER_ENGINE_KINDS,
  type EngineKind,
  type ServerEngineKind,
} from '../services/engines/registry';
import { type WriteMode } from '../services/generation/generationRecord';
import { DEFAULT_HISTORY_MAX_SIZE_MB, MAX_HISTORY_MAX_SIZE_MB } from '../services/generation/generationStore';

/**
 * Visen's settings are read and written here and nowhere else: every `visen.*` name below is in
 * `contributes.configuration`, and the engines' own (model, base URL) come from the engine registry.
 */
const SETTING_NAMES: readonly string[] = [
  'visen.engine',
  ...ENGINE_KINDS.map((kind) => ENGINES[kind].settings.model),
  ...SERVER_ENGINE_KINDS.map((kind) => ENGINES[kind].settings.baseUrl),
  'visen.notion.apiBaseUrl',
  'visen.connectionsDatabase',
  'visen.writeMode',
  'visen.instructions',
  'visen.promptBudget',
  'visen.history.maxSizeMB',
];

/** Which of Visen's settings one change touched. */
export interface ConfigChange {
  /** The full names (`visen.openai.model`) of the settings that changed. */
  readonly keys: readonly string[];
  /** Whether `name` (a setting, or a section such as `visen.openai`) changed. */
  affects(name: string): boolean;
}

/** Fires when any `visen.*` setting changes, with the names of those that did. */
export function onDidChange(listener: (change: ConfigChange) => unknown): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('visen')) return;
    const keys = SETTING_NAMES.filter((name) => e.affectsConfiguration(name));
    listener({ keys, affects: (name) => keys.some((key) => key === name || key.startsWith(`${name}.`)) });
  });
}

/** Writes a setting to the user settings; `undefined` removes it. */
export async function updateSetting(name: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration().update(name, value, vscode.ConfigurationTarget.Global);
}

/** A text setting, trimmed; empty when it is not set. */
export function textSetting(name: string): string {
  return (setting<string>(name) ?? '').trim();
}

/**
 * The model an engine generates with when its setting is empty: the one its rule chose from the live list
 * when a key was last checked with the server the engine now points at, else the registry's fallback.
 */
export function defaultModel(kind: EngineKind): string {
  const baseUrl = isServerEngine(kind) ? effectiveBaseUrl(kind) : '';
  return modelDefaultsInUse()?.get(kind, baseUrl) ?? DEFAULT_MODELS[kind];
}

/** Visen's settings, mirroring `contributes.configuration` in package.json. */
export type VisenConfig = {
  readonly engine: EngineKind;
  /** The model setting of each engine, or its default ('' for an engine whose default is the first model offered). */
  readonly models: Readonly<Record<EngineKind, string>>;
  /** The base URLs requests go to, never empty: see `effectiveBaseUrl`. */
  readonly notionApiBaseUrl: string;
  readonly connectionsDatabase: string;
  readonly writeMode: WriteMode;
  readonly instructions: string;
  /** Prompts per month before Visen asks for confirmation; 0 = unlimited. */
  readonly promptBudget: number;
  /** How large the generation history may grow, in MB, before the oldest records fully in Notion go. */
  readonly historyMaxSizeMB: number;
} & {
  /** Each server engine's base URL (`openaiBaseUrl`), never empty: see `effectiveBaseUrl`. */
  readonly [K in ServerEngineKind as `${K}BaseUrl`]: string;
};

/** What a base URL can point at: Notion, or an engine that talks to a server (the registry's). */
export type Service = 'notion' | ServerEngineKind;

const byServerEngine = <T>(pick: (kind: ServerEngineKind) => T): Record<ServerEngineKind, T> =>
  Object.fromEntries(SERVER_ENGINE_KINDS.map((kind) => [kind, pick(kind)])) as Record<ServerEngineKind, T>;

/** Whether the build keeps the test overrides below: false in the production bundle (scripts/buildDefines.js). */
declare const VISEN_TEST_OVERRIDES: boolean;

/**
 * A base URL from `VISEN_<SERVICE>_BASE_URL` (VISEN_NOTION_API_BASE_URL, VISEN_OPENAI_BASE_URL, …), for tests
 * and development builds only; keys never are. The production build defines VISEN_TEST_OVERRIDES false and
 * drops this code: no variable of a shell, `remoteEnv` or a dev container redirects a request of the .vsix.
 */
function testOverride(service: Service): string | undefined {
  if (!VISEN_TEST_OVERRIDES) return undefined;
  const name = service === 'notion' ? 'VISEN_NOTION_API_BASE_URL' : `VISEN_${service.toUpperCase()}_BASE_URL`;
  return process.env[name]?.trim() || undefined;
}

/**
 * The official endpoints, used when a base URL setting is empty. They are given to the SDKs explicitly:
 * left undefined, the OpenAI SDK would take OPENAI_BASE_URL from the environment, and Visen never reads a
 * provider's environment variables.
 */
export const OFFICIAL_BASE_URLS: Record<Service, string> = {
  notion: 'https://api.notion.com',
  ...byServerEngine((kind) => ENGINES[kind].settings.officialBaseUrl),
};

/** Where each base URL lives in `contributes.configuration` (all `"scope": "application"`). */
export const BASE_URL_SETTINGS: Record<Service, string> = {
  notion: 'visen.notion.apiBaseUrl',
  ...byServerEngine((kind) => ENGINES[kind].settings.baseUrl),
};

/** Whether an engine talks to a server at a base URL (and so has a base URL setting). */
function isServerEngine(kind: EngineKind): kind is ServerEngineKind {
  return (SERVER_ENGINE_KINDS as readonly EngineKind[]).includes(kind);
}

/** A setting's value by its full name (`visen.gemini.model`): settings are read here and nowhere else. */
export function setting<T>(name: string): T | undefined {
  return vscode.workspace.getConfiguration().get<T>(name);
}

/**
 * An engine's model setting as the user wrote it (user, workspace or folder settings), trimmed; empty when
 * it is not set. A default from elsewhere is never taken for a choice: the default follows the live list.
 */
export function configuredModel(kind: EngineKind): string {
  const name = ENGINES[kind].settings.model;
  const value = vscode.workspace.getConfiguration().inspect<string>(name);
  const set = [value?.globalValue, value?.workspaceValue, value?.workspaceFolderValue].some((v) => v !== undefined);
  // Read through `get` all the same: it leaves out what Restricted Mode does not allow a workspace to set.
  return set ? textSetting(name) : '';
}

/** The engine `visen.engine` names (an unknown value reads as the default, the registry's first). */
export function configuredEngine(): EngineKind {
  const value = setting<string>('visen.engine');
  return isEngineKind(value) ? value : DEFAULT_ENGINE;
}

/**
 * A base URL as the user set it in their user settings, never from a workspace or folder: a repository's
 * .vscode/settings.json must not be able to send the user's keys to its own server. VS Code already ignores
 * workspace values of application-scoped settings; this reads the user value by itself all the same.
 */
export function userBaseUrl(service: Service): string {
  const value = vscode.workspace.getConfiguration().inspect<string>(BASE_URL_SETTINGS[service])?.globalValue;
  return typeof value === 'string' ? value.trim() : '';
}

/** The base URL Visen sends requests (and the key) to: the user's setting, else a test override (not in the production build), else the official one. */
export function effectiveBaseUrl(service: Service): string {
  return userBaseUrl(service) || testOverride(service) || OFFICIAL_BASE_URLS[service];
}

export function readConfig(): VisenConfig {
  return {
    engine: configuredEngine(),
    models: Object.fromEntries(ENGINE_KINDS.map((kind) => [kind, configuredModel(kind) || defaultModel(kind)])) as Record<
      EngineKind,
      string
    >,
    ...(Object.fromEntries(SERVER_ENGINE_KINDS.map((kind) => [`${kind}BaseUrl`, effectiveBaseUrl(kind)])) as {
      [K in ServerEngineKind as `${K}BaseUrl`]: string;
    }),
    notionApiBaseUrl: effectiveBaseUrl('notion'),
    connectionsDatabase: textSetting('visen.connectionsDatabase'),
    writeMode: configuredWriteMode(),
    instructions: textSetting('visen.instructions'),
    promptBudget: configuredPromptBudget(),
    historyMaxSizeMB: Math.min(
      MAX_HISTORY_MAX_SIZE_MB,
      Math.max(1, setting<number>('visen.history.maxSizeMB') ?? DEFAULT_HISTORY_MAX_SIZE_MB),
    ),
  };
}

export function configuredWriteMode(): WriteMode {
  const mode = setting<string>('visen.writeMode');
  return mode === 'replace' || mode === 'afterHeading' ? mode : 'append';
}

/** `visen.promptBudget` as a whole number, 0 (no limit) when unset or negative. */
export function configuredPromptBudget(): number {
  return Math.max(0, Math.floor(setting<number>('visen.promptBudget') ?? 0));
}

export function modelFor(config: VisenConfig, engine: EngineKind = config.engine): string {
  return config.models[engine];
}

export async function updateModel(engine: EngineKind, model: string): Promise<void> {
  await updateSetting(ENGINES[engine].settings.model, model);
}

/** Links the connections database (its URL), or unlinks it with an empty one. */
export async function updateConnectionsDatabase(url: string): Promise<void> {
  await updateSetting('visen.connectionsDatabase', url || undefined);
}
