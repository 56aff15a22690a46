// The generation history as every surface reads it: the records, their counts, and the one rule each for
// offering Undo and Retry Write. Surfaces import these from here, not from the services.

export { blockCounts, isSafelyInNotion, type GenerationRecord } from '../services/generation/generationRecord';
export { type GenerationStore } from '../services/generation/generationStore';
export { offersRetry, offersUndo, undoTarget } from '../services/generation/undoRules';
