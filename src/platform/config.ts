import * as vscode from 'vscode';
import { DEFAULT_MODELS, ENGINES, ENGINE_KINDS, isEngineKind, SERVER_ENGINE_KINDS, type EngineKind, type ServerEngineKind } from '../services/engines/registry';
import type { WriteMode } from '../services/generation/generationRecord';

/** Visen's settings, mirroring `contributes.configuration` in package.json. */
export interface VisenConfig {
  readonly engine: EngineKind;
  /** The model setting of each engine, or its default ('' for an engine whose default is the first model offered). */
  readonly models: Readonly<Record<EngineKind, string>>;
  /** The base URLs requests go to, never empty: see `effectiveBaseUrl`. */
  readonly geminiBaseUrl: string;
  readonly openaiBaseUrl: string;
  readonly notionApiBaseUrl: string;
  readonly connectionsDatabase: string;
  readonly writeMode: WriteMode;
  readonly instructions: string;
  /** Prompts per month before Visen asks for confirmation; 0 = unlimited. */
  readonly promptBudget: number;
  /** How large the generation history may grow, in MB, before the oldest records fully in Notion go. */
  readonly historyMaxSizeMB: number;
}

/** What a base URL can point at: Notion, or an engine that talks to a server (the registry's). */
export type Service = 'notion' | ServerEngineKind;

const byServerEngine = <T>(pick: (kind: ServerEngineKind) => T): Record<ServerEngineKind, T> =>
  Object.fromEntries(SERVER_ENGINE_KINDS.map((kind) => [kind, pick(kind)])) as Record<ServerEngineKind, T>;

/** Base URLs may be redirected by environment variables, for tests and CI only; keys never are. */
const BASE_URL_ENV: Record<Service, string> = {
  notion: 'VISEN_NOTION_API_BASE_URL',
  ...byServerEngine((kind) => ENGINES[kind].settings.baseUrlEnv),
};

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
export function isServerEngine(kind: EngineKind): kind is ServerEngineKind {
  return (SERVER_ENGINE_KINDS as readonly EngineKind[]).includes(kind);
}

/** A setting's value by its full name (`visen.gemini.model`): settings are read here and nowhere else. */
export function setting<T>(name: string): T | undefined {
  return vscode.workspace.getConfiguration().get<T>(name);
}

/** An engine's model setting as the user wrote it, trimmed; empty when it is not set. */
export function configuredModel(kind: EngineKind): string {
  return (setting<string>(ENGINES[kind].settings.model) ?? '').trim();
}

/** The engine `visen.engine` names (an unknown value reads as the default, Gemini). */
export function configuredEngine(): EngineKind {
  const value = setting<string>('visen.engine');
  return isEngineKind(value) ? value : 'gemini';
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

/** The base URL Visen sends requests (and the key) to: the user's setting, else a test override, else the official one. */
export function effectiveBaseUrl(service: Service): string {
  return userBaseUrl(service) || process.env[BASE_URL_ENV[service]]?.trim() || OFFICIAL_BASE_URLS[service];
}

export function readConfig(): VisenConfig {
  const c = vscode.workspace.getConfiguration('visen');
  const text = (key: string, fallback = '') => (c.get<string>(key) ?? fallback).trim();
  return {
    engine: configuredEngine(),
    models: Object.fromEntries(ENGINE_KINDS.map((kind) => [kind, configuredModel(kind) || DEFAULT_MODELS[kind]])) as Record<EngineKind, string>,
    geminiBaseUrl: effectiveBaseUrl('gemini'),
    openaiBaseUrl: effectiveBaseUrl('openai'),
    notionApiBaseUrl: effectiveBaseUrl('notion'),
    connectionsDatabase: text('connectionsDatabase'),
    writeMode: c.get<string>('writeMode') === 'replace' ? 'replace' : 'append',
    instructions: text('instructions'),
    promptBudget: Math.max(0, Math.floor(c.get<number>('promptBudget') ?? 0)),
    historyMaxSizeMB: Math.max(1, c.get<number>('history.maxSizeMB') ?? 20),
  };
}

export function modelFor(config: VisenConfig, engine: EngineKind = config.engine): string {
  return config.models[engine];
}

/** The base URL an engine sends requests to; undefined for an engine that talks to no server. */
export function baseUrlFor(engine: EngineKind): string | undefined {
  return isServerEngine(engine) ? effectiveBaseUrl(engine) : undefined;
}

export async function updateModel(engine: EngineKind, model: string): Promise<void> {
  await vscode.workspace.getConfiguration().update(ENGINES[engine].settings.model, model, vscode.ConfigurationTarget.Global);
}
