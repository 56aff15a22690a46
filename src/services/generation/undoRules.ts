import type { GenerationRecord } from './generationRecord';

/** Whether Undo can take back what this generation did to the page: it wrote or trashed something, and is not undone. */
export function canUndo(record: GenerationRecord): boolean {
  if (record.undoneAt || record.legacy || record.status === 'generating') return false;
  return (record.blockIds?.length ?? 0) > 0 || (record.uncertainBlocks ?? 0) > 0 || (record.previous?.trashed ?? 0) > 0;
}

/**
 * The generation Undo applies to when none is named: the newest one of the connection (or of any
 * connection) that changed its page and is not undone. An older generation is never offered past a
 * newer one: undoing it first could restore blocks a newer replace moved away.
 */
export function undoTarget(records: readonly GenerationRecord[], connectionId?: string): GenerationRecord | undefined {
  const latest = records.find((r) => (!connectionId || r.connectionId === connectionId) && !r.undoneAt && changedPage(r));
  return latest && canUndo(latest) ? latest : undefined;
}

function changedPage(record: GenerationRecord): boolean {
  return record.writtenBlocks > 0 || (record.blockIds?.length ?? 0) > 0 || (record.previous?.trashed ?? 0) > 0 || !!record.legacy;
}
