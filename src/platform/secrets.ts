import * as vscode from 'vscode';
import {
  ENGINE_SECRET_NAMES,
  KEYED_ENGINE_KINDS,
  engineSecret,
  type EngineSecretName,
  type KeyedEngineKind,
} from '../services/engines/registry';
import type { KeyValueStore } from '../services/keyValueStore';

/** globalState: secret name → the origin (scheme, host, port) the key was checked against and may be sent to. */
const KEY_ORIGINS = 'visen.keyOrigins';

/** Every secret Visen keeps, by its SecretStorage key: Notion's and those of the engines that need a key (the registry's). */
export type SecretName = 'visen.notion.secret' | EngineSecretName;

export const SECRET_NAMES: readonly SecretName[] = ['visen.notion.secret', ...ENGINE_SECRET_NAMES];

/** The secret of Notion, or of an engine that needs a key. */
export function secretOf(service: 'notion' | KeyedEngineKind): SecretName {
  return service === 'notion' ? 'visen.notion.secret' : engineSecret(service);
}

/** The secret of each engine that needs a key. */
export const ENGINE_SECRET = Object.fromEntries(KEYED_ENGINE_KINDS.map((kind) => [kind, engineSecret(kind)])) as Record<
  KeyedEngineKind,
  EngineSecretName
>;

/**
 * Typed access to VS Code's SecretStorage, the only place keys live. Next to each key it keeps, in global
 * state, the origin of the server that accepted it: the only one the key is sent to.
 */
export class Secrets {
  readonly onDidChange: vscode.Event<SecretName>;

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly origins: KeyValueStore,
  ) {
    this.onDidChange = (listener, thisArgs, disposables) =>
      storage.onDidChange(
        (e) => {
          if ((SECRET_NAMES as readonly string[]).includes(e.key)) listener.call(thisArgs, e.key as SecretName);
        },
        undefined,
        disposables,
      );
  }

  async get(name: SecretName): Promise<string | undefined> {
    const value = await this.storage.get(name);
    return value || undefined;
  }

  /** Stores a key; without `origin` (a key not checked with a server) it is bound to a server on first use. */
  async store(name: SecretName, value: string, origin?: string): Promise<void> {
    await this.setOrigin(name, origin);
    await this.storage.store(name, value);
  }

  async delete(name: SecretName): Promise<void> {
    await this.setOrigin(name, undefined);
    await this.storage.delete(name);
  }

  /**
   * The origin the stored key was checked against; undefined for keys stored before Visen kept origins.
   * With no key stored: the server that answered without one (an OpenAI-compatible server that needs none).
   */
  origin(name: SecretName): string | undefined {
    return this.origins.get<Partial<Record<SecretName, string>>>(KEY_ORIGINS)?.[name];
  }

  async setOrigin(name: SecretName, origin: string | undefined): Promise<void> {
    const all = { ...(this.origins.get<Partial<Record<SecretName, string>>>(KEY_ORIGINS) ?? {}) };
    if (all[name] === origin) return;
    if (origin === undefined) delete all[name];
    else all[name] = origin;
    await this.origins.update(KEY_ORIGINS, all);
  }
}
