// The generation history as every surface reads it: the records, their counts, and the one rule each for
// offering Undo and Retry Write. Surfaces import these from here, not from the services.

export { blockCounts, isSafelyInNotion, type GenerationRecord, type GenerationStore } from '../services/generation/generationRecord';
export { offersRetry, offersUndo, undoTarget } from '../services/generation/undoRules';
