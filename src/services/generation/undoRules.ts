import type { GenerationRecord } from './generationRecord';

/** Whether Undo can take back what this generation did to the page: it wrote or trashed something, and is not undone. */
export function canUndo(record: GenerationRecord): boolean {
  if (record.undoneAt || record.legacy || record.status === 'generating') return false;
  return (record.blockIds?.length ?? 0) > 0 || (record.uncertainBlocks ?? 0) > 0 || (record.previous?.trashed ?? 0) > 0;
}

/**
 * The later runs (newest first) that replaced blocks this one wrote and are not undone, each because it
 * replaced this one's blocks or those of a run in between. Undoing this one alone would bring back blocks
 * they took out, next to their own text: they go first.
 */
export function replacedBy(record: GenerationRecord, history: readonly GenerationRecord[]): GenerationRecord[] {
  const later = history
    .filter((r) => r.id !== record.id && r.page.id === record.page.id && !r.undoneAt && r.createdAt > record.createdAt && r.previous)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const covered = new Set(record.blockIds ?? []);
  const chain: GenerationRecord[] = [];
  for (const run of later) {
    if (!run.previous!.ids.slice(0, run.previous!.trashed).some((id) => covered.has(id))) continue;
    chain.unshift(run);
    for (const id of run.blockIds ?? []) covered.add(id);
  }
  return chain;
}

/**
 * The one rule every surface (notifications, the form, the tree, the history, chat) offers Undo by: the
 * run changed its page, is not undone, and no later run replaced what it wrote.
 */
export function offersUndo(record: GenerationRecord, history: readonly GenerationRecord[]): boolean {
  return canUndo(record) && replacedBy(record, history).length === 0;
}

/** The one rule every surface offers Retry Write by: generated text that is not all in Notion and can still go there. */
export function offersRetry(record: GenerationRecord): boolean {
  if (record.legacy || record.undoneAt) return false;
  if (record.status === 'writeFailed') return true;
  // Cut short with no finished block left to write: its text is kept (open, copy), there is nothing to retry.
  if (record.status === 'interrupted') return record.writtenBlocks < record.blocks;
  return record.status === 'cancelled' && record.writtenBlocks < record.blocks && record.markdown.length > 0;
}

/**
 * The generation Undo applies to when none is named: the newest one of the connection (or of any
 * connection) that changed its page and is not undone, when Undo is offered for it.
 */
export function undoTarget(records: readonly GenerationRecord[], connectionId?: string): GenerationRecord | undefined {
  const latest = records.find((r) => (!connectionId || r.connectionId === connectionId) && !r.undoneAt && changedPage(r));
  return latest && offersUndo(latest, records) ? latest : undefined;
}

function changedPage(record: GenerationRecord): boolean {
  return record.writtenBlocks > 0 || (record.blockIds?.length ?? 0) > 0 || (record.previous?.trashed ?? 0) > 0 || !!record.legacy;
}
