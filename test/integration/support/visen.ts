import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VisenTestApi } from '../../../src/extension';
import { SECRET_NAMES } from '../../../src/platform/secrets';
import { rememberTokenKind } from '../../../src/services/notion/tokenIdentity';
import type { Ui } from '../../../src/platform/ui';
import { startGeminiFake, type GeminiFake } from '../../fakes/geminiFake';
import { startNotionFake, type NotionFake } from '../../fakes/notionFake';
import { startOpenAIFake, type OpenAIFake } from '../../fakes/openaiFake';
import { ScriptedUi } from './scriptedUi';

export const NOTION_SECRET = 'secret_fake_notion';
export const GEMINI_KEY = 'AIza-fake-gemini';
export const OPENAI_KEY = 'sk-fake-openai';

interface Stage {
  readonly api: VisenTestApi;
  readonly notion: NotionFake;
  readonly openai: OpenAIFake;
  readonly gemini: GeminiFake;
  /** A fresh scripted UI, installed in place of the real one for the current test. */
  ui: ScriptedUi;
  /** VS Code's own UI adapter, for a test that needs what it really shows (e.g. a document). */
  readonly realUi: Ui;
}

const config = () => vscode.workspace.getConfiguration('visen');

export async function setSetting(key: string, value: unknown): Promise<void> {
  await config().update(key, value, vscode.ConfigurationTarget.Global);
}

/**
 * Activates Visen in this extension host, starts the loopback stand-ins and points Visen's base-URL
 * settings at them. Call from a suite's `before`; `reset` between tests; `close` in `after`.
 */
async function openStage(target = {} as OpenStage): Promise<OpenStage> {
  const extension = vscode.extensions.getExtension<VisenTestApi>('visen.visen');
  assert.ok(extension, 'Visen is installed');
  const api = await extension.activate();
  assert.ok(api, 'Visen hands its test API to tests');
  const [notion, openai, gemini] = await Promise.all([
    startNotionFake(),
    startOpenAIFake({ chunkDelayMs: 0 }),
    startGeminiFake({ chunkDelayMs: 0 }),
  ]);
  await setSetting('notion.apiBaseUrl', notion.url);
  await setSetting('openai.baseUrl', openai.url);
  await setSetting('gemini.baseUrl', gemini.url);
  const realUi = api.ui;
  const stage: OpenStage = Object.assign(target, {
    api,
    notion,
    openai,
    gemini,
    realUi,
    ui: new ScriptedUi(),
    async reset() {
      notion.reset();
      openai.reset();
      gemini.reset();
      for (const name of SECRET_NAMES) await api.secrets.delete(name);
      await rememberTokenKind(api.store, undefined);
      for (const connection of api.connections.list()) {
        await api.generations.deleteForConnection(connection.id);
        await api.connections.delete(connection.id);
      }
      for (const key of ['engine', 'writeMode', 'connectionsDatabase', 'promptBudget']) await setSetting(key, undefined);
      stage.ui = new ScriptedUi();
      (api as { ui: unknown }).ui = stage.ui;
    },
    async close() {
      (api as { ui: unknown }).ui = realUi;
      for (const key of [
        'notion.apiBaseUrl',
        'openai.baseUrl',
        'gemini.baseUrl',
        'engine',
        'writeMode',
        'connectionsDatabase',
        'promptBudget',
      ])
        await setSetting(key, undefined);
      await Promise.all([notion.close(), openai.close(), gemini.close()]);
    },
  });
  return stage;
}

export type OpenStage = Stage & { reset(): Promise<void>; close(): Promise<void> };

export interface StageHooks {
  /** Stored after each reset, as if the set-key commands had accepted them. */
  readonly keys?: Partial<Record<'notion' | 'gemini' | 'openai', string>>;
  /** Runs after the last test, before the stage closes. */
  readonly beforeClose?: () => unknown;
}

/**
 * The stage for a suite: opened before its first test, reset before each (then `keys` stored) and closed
 * after the last. Call at the top of a `describe`; the object it returns is filled in by the first hook.
 */
export function useStage({ keys, beforeClose }: StageHooks = {}): OpenStage {
  const stage = {} as OpenStage;
  before(async () => {
    await openStage(stage);
  });
  after(async () => {
    await beforeClose?.();
    await stage.close();
  });
  beforeEach(async () => {
    await stage.reset();
    if (keys) await storeKeys(stage.api, keys);
  });
  return stage;
}

/** Stores keys the way the set-key commands do once a check passed. */
export async function storeKeys(api: VisenTestApi, keys: Partial<Record<'notion' | 'gemini' | 'openai', string>>): Promise<void> {
  if (keys.notion) await api.secrets.store('visen.notion.secret', keys.notion);
  if (keys.gemini) await api.secrets.store('visen.gemini.apiKey', keys.gemini);
  if (keys.openai) await api.secrets.store('visen.openai.apiKey', keys.openai);
}

/** Everything Visen has written to its log channel so far (VS Code flushes it to a file). */
export async function visenLog(api: VisenTestApi): Promise<string> {
  const files: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth < 0 || !fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth - 1);
      else if (/^(\d+-)?Visen\.log$/.test(entry.name)) files.push(full);
    }
  };
  // The channel's file lives in or next to the extension's own log folder, depending on the VS Code version.
  walk(path.dirname(api.logFolder), 2);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

/** A connection for a stand-in page, as the palette flow creates one. */
export async function connectPage(api: VisenTestApi, page: { id: string; title: string; url: string }, name = page.title) {
  return api.connections.create({ name, type: 'page', target: { id: page.id, url: page.url, title: page.title } });
}
