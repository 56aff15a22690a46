import type { ModelDefaults } from './modelDefaults';

/**
 * Where the defaults resolved from live model lists are kept (global state). Bound once by the composition
 * root; until then, and for a server no key was checked with, an engine's default is its registry fallback.
 */
let modelDefaults: ModelDefaults | undefined;

export function useModelDefaults(defaults: ModelDefaults | undefined): void {
  modelDefaults = defaults;
}

/** The defaults bound by `useModelDefaults`. */
export function modelDefaultsInUse(): ModelDefaults | undefined {
  return modelDefaults;
}
