import type { Engine, EngineKind } from '../engines/engine';

/**
 * Markdown that is already written (an agent's, handed to a language-model tool) as the source of a
 * generation, so it goes through the same chunker, converter, writer and record as a model's answer.
 * It is recorded under `kind` (the engine it is told apart by in the history) and costs no tokens.
 */
export function givenText(kind: EngineKind, markdown: string): Engine {
  return {
    kind,
    async *stream(_request, signal) {
      signal.throwIfAborted();
      yield markdown;
      return {};
    },
    complete: async () => ({ text: markdown }),
    listModels: async () => [],
  };
}
