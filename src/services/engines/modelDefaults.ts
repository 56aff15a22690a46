import type { KeyValueStore } from '../keyValueStore';
import type { ModelInfo } from './engine';
import { isShutDown } from './modelCatalog';
import { catalogProvider, defaultModelFrom, type EngineKind } from './registry';

/** Global state: per engine, the default model its rule chose from the live list, and the server that listed it. */
export const MODEL_DEFAULTS_STATE = 'visen.defaultModels';

interface ResolvedDefault {
  /** The origin of the server whose list it was chosen from: another server has other models. */
  readonly origin: string;
  /** Empty: the list had no recommended model, and Visen asks which one to use. */
  readonly model: string;
  /** When it was chosen (ISO), for the log and for people reading global state. */
  readonly at: string;
}

type Stored = Partial<Record<EngineKind, ResolvedDefault>>;

/** `https://api.openai.com/v1` → `https://api.openai.com`; an unreadable URL stands for itself. */
export function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}

/**
 * The default models resolved when a key is checked (the engine's rule over the models the key can use),
 * kept so that an empty model setting follows what the provider serves now instead of an id it retired.
 */
export class ModelDefaults {
  constructor(private readonly store: KeyValueStore) {}

  /**
   * The default chosen from the list of the server at `baseUrl` ('' for an engine without a server); '' when
   * that list had nothing recommended, or the model chosen then has been shut down since: Visen asks.
   */
  get(kind: EngineKind, baseUrl: string): string | undefined {
    const entry = this.store.get<Stored>(MODEL_DEFAULTS_STATE)?.[kind];
    if (!entry || entry.origin !== originOf(baseUrl) || typeof entry.model !== 'string') return undefined;
    const provider = catalogProvider(kind);
    return provider && entry.model && isShutDown(provider, entry.model) ? '' : entry.model;
  }

  /**
   * Chooses the default from a live list by the engine's rule and keeps it for that server; returns it, ''
   * when the list has nothing the model catalog recommends and the rule takes no other (Visen asks then).
   * `official`: the list is the provider's own API, not a compatible server's.
   */
  async remember(kind: EngineKind, baseUrl: string, models: readonly ModelInfo[], official: boolean): Promise<string | undefined> {
    const model = defaultModelFrom(kind, models, { official }) ?? (models.length && catalogProvider(kind) ? '' : undefined);
    if (model === undefined) return undefined;
    const all = { ...(this.store.get<Stored>(MODEL_DEFAULTS_STATE) ?? {}) };
    const origin = originOf(baseUrl);
    if (all[kind]?.origin === origin && all[kind]?.model === model) return model;
    all[kind] = { origin, model, at: new Date().toISOString() };
    await this.store.update(MODEL_DEFAULTS_STATE, all);
    return model;
  }
}
