import type { EngineKind, EngineModule } from './engine';

/**
 * Loads an engine module on first use. The extension passes a loader that requires the engine's own
 * bundle, so activation never parses an engine SDK; tests pass the modules directly.
 */
export type EngineModuleLoader = (kind: EngineKind) => EngineModule | Promise<EngineModule>;

export class EngineModules {
  private readonly loaded = new Map<EngineKind, Promise<EngineModule>>();

  constructor(private readonly load: EngineModuleLoader) {}

  get(kind: EngineKind): Promise<EngineModule> {
    let module = this.loaded.get(kind);
    if (!module) {
      module = Promise.resolve().then(() => this.load(kind));
      // A failed load may succeed later (e.g. after a reinstall): do not cache the failure.
      module.catch(() => this.loaded.delete(kind));
      this.loaded.set(kind, module);
    }
    return module;
  }
}

// Derived from the engine registry; kept here for the modules that import them from the loader.
export { DEFAULT_MODELS, ENGINE_LABELS } from './registry';
