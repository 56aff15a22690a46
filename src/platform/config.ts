import * as vscode from 'vscode';
import type { EngineKind } from '../services/engines/engine';
import { DEFAULT_MODELS } from '../services/engines/engineLoader';
import type { WriteMode } from '../services/generation/generationRecord';

/** Visen's settings, mirroring `contributes.configuration` in package.json. */
export interface VisenConfig {
  readonly engine: EngineKind;
  readonly geminiModel: string;
  readonly openaiModel: string;
  readonly geminiBaseUrl: string;
  readonly openaiBaseUrl: string;
  readonly notionApiBaseUrl: string;
  readonly connectionsDatabase: string;
  readonly writeMode: WriteMode;
  readonly instructions: string;
  /** Prompts per month before Visen asks for confirmation; 0 = unlimited. */
  readonly promptBudget: number;
}

/** Base URLs may be redirected by environment variables, for tests and CI only; keys never are. */
const BASE_URL_ENV = {
  notion: 'VISEN_NOTION_API_BASE_URL',
  openai: 'VISEN_OPENAI_BASE_URL',
  gemini: 'VISEN_GEMINI_BASE_URL',
} as const;

export function readConfig(): VisenConfig {
  const c = vscode.workspace.getConfiguration('visen');
  const engine = c.get<string>('engine') === 'openai' ? 'openai' : 'gemini';
  const text = (key: string, fallback = '') => (c.get<string>(key) ?? fallback).trim();
  return {
    engine,
    geminiModel: text('gemini.model') || DEFAULT_MODELS.gemini,
    openaiModel: text('openai.model') || DEFAULT_MODELS.openai,
    geminiBaseUrl: text('gemini.baseUrl') || (process.env[BASE_URL_ENV.gemini] ?? ''),
    openaiBaseUrl: text('openai.baseUrl') || (process.env[BASE_URL_ENV.openai] ?? ''),
    notionApiBaseUrl: text('notion.apiBaseUrl') || (process.env[BASE_URL_ENV.notion] ?? ''),
    connectionsDatabase: text('connectionsDatabase'),
    writeMode: c.get<string>('writeMode') === 'replace' ? 'replace' : 'append',
    instructions: text('instructions'),
    promptBudget: Math.max(0, Math.floor(c.get<number>('promptBudget') ?? 0)),
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
