import * as vscode from 'vscode';
import type { EngineKind } from '../services/engines/engine';
import { DEFAULT_MODELS } from '../services/engines/engineLoader';
import type { WriteMode } from '../services/generation/generationRecord';

/** Visen's settings, mirroring `contributes.configuration` in package.json. */
export interface VisenConfig {
  readonly engine: EngineKind;
  readonly geminiModel: string;
  readonly openaiModel: string;
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

/** Base URLs may be redirected by environment variables, for tests and CI only; keys never are. */
const BASE_URL_ENV = {
  notion: 'VISEN_NOTION_API_BASE_URL',
  openai: 'VISEN_OPENAI_BASE_URL',
  gemini: 'VISEN_GEMINI_BASE_URL',
} as const;

export type Service = keyof typeof BASE_URL_ENV;

/**
 * The official endpoints, used when a base URL setting is empty. They are given to the SDKs explicitly:
 * left undefined, the OpenAI SDK would take OPENAI_BASE_URL from the environment, and Visen never reads a
 * provider's environment variables.
 */
export const OFFICIAL_BASE_URLS: Record<Service, string> = {
  notion: 'https://api.notion.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
};

/** Where each base URL lives in `contributes.configuration` (all `"scope": "application"`). */
export const BASE_URL_SETTINGS: Record<Service, string> = {
  notion: 'visen.notion.apiBaseUrl',
  openai: 'visen.openai.baseUrl',
  gemini: 'visen.gemini.baseUrl',
};

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
  const engine = c.get<string>('engine') === 'openai' ? 'openai' : 'gemini';
  const text = (key: string, fallback = '') => (c.get<string>(key) ?? fallback).trim();
  return {
    engine,
    geminiModel: text('gemini.model') || DEFAULT_MODELS.gemini,
    openaiModel: text('openai.model') || DEFAULT_MODELS.openai,
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
  return engine === 'openai' ? config.openaiModel : config.geminiModel;
}

export function baseUrlFor(config: VisenConfig, engine: EngineKind = config.engine): string {
  return engine === 'openai' ? config.openaiBaseUrl : config.geminiBaseUrl;
}

export async function updateModel(engine: EngineKind, model: string): Promise<void> {
  await vscode.workspace.getConfiguration('visen').update(`${engine}.model`, model, vscode.ConfigurationTarget.Global);
}
