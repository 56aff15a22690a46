import * as vscode from 'vscode';
import type { EngineKind } from '../services/engines/engine';

/** Every secret Visen keeps, by its SecretStorage key. */
export type SecretName = 'visen.notion.secret' | 'visen.gemini.apiKey' | 'visen.openai.apiKey';

export const SECRET_NAMES: readonly SecretName[] = ['visen.notion.secret', 'visen.gemini.apiKey', 'visen.openai.apiKey'];

export const ENGINE_SECRET: Record<EngineKind, SecretName> = {
  gemini: 'visen.gemini.apiKey',
  openai: 'visen.openai.apiKey',
};

/** Typed access to VS Code's SecretStorage, the only place keys live. */
export class Secrets {
  readonly onDidChange: vscode.Event<SecretName>;

  constructor(private readonly storage: vscode.SecretStorage) {
    this.onDidChange = (listener, thisArgs, disposables) =>
      storage.onDidChange((e) => {
        if ((SECRET_NAMES as readonly string[]).includes(e.key)) listener.call(thisArgs, e.key as SecretName);
      }, undefined, disposables);
  }

  async get(name: SecretName): Promise<string | undefined> {
    const value = await this.storage.get(name);
    return value || undefined;
  }

  store(name: SecretName, value: string): Thenable<void> {
    return this.storage.store(name, value);
  }

  delete(name: SecretName): Thenable<void> {
    return this.storage.delete(name);
  }
}
