import type { EngineKind, TokenUsage } from '../engines/engine';
import type { KeyValueStore } from '../keyValueStore';

export type WriteMode = 'append' | 'replace';

export type GenerationStatus =
  | 'generating'
  | 'written'       // everything generated is in Notion
  | 'writeFailed'   // generated, not (fully) written: can be written again without generating
  | 'cancelled'
  | 'failed';       // the engine failed

/** Everything about one generation, kept before anything is written so no generated text is lost. */
export interface GenerationRecord {
  readonly id: string;
  readonly createdAt: string;
  /** The connection it was generated for. */
  readonly connectionId?: string;
  readonly page: { readonly id: string; readonly title: string; readonly url: string };
  readonly prompt: string;
  readonly engine: EngineKind;
  readonly model: string;
  readonly mode: WriteMode;
  status: GenerationStatus;
  /** The full generated markdown (so far, while generating). */
  markdown: string;
  /** Top-level Notion blocks generated so far (a 3-item list is 3): what a person counts in the page. */
  blocks: number;
  /** How many of them are fully in Notion, their children included; a retry writes from there. */
  writtenBlocks: number;
  /**
   * The ids of the top-level blocks Visen created, in order: Undo deletes exactly these. Past
   * `writtenBlocks` they exist but their children may not all have landed.
   */
  blockIds?: string[];
  /** The last append's outcome is unknown: this many blocks may have landed after `blockIds`. */
  uncertainBlocks?: number;
  /** Replace: the page's earlier top-level blocks, and how many of them Visen moved to the trash (Undo restores them). */
  previous?: { readonly ids: string[]; trashed: number };
  usage?: TokenUsage;
  error?: string;
  timings: {
    firstTokenMs?: number;
    firstWriteMs?: number;
    generationMs?: number;
    totalMs?: number;
  };
  undoneAt?: string;
  /** Written by a Visen that kept a copy of the page instead of the ids it wrote: not exactly undoable. */
  legacy?: boolean;
}

/** What to tell a person about a record's blocks. */
export function blockCounts(record: GenerationRecord): { readonly written: number; readonly total: number } {
  return { written: record.writtenBlocks, total: record.blocks };
}

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

const KEY = 'visen.generations';
/** Old records past this count per connection (or page) are dropped; each holds a whole generated document. */
const MAX_RECORDS_PER_TARGET = 50;

/** The local history of generations, newest first. */
export class GenerationStore {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly store: KeyValueStore) {}

  /** Calls `listener` after every save or delete; returns the unsubscribe. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  list(): GenerationRecord[] {
    const records = this.store.get<unknown>(KEY);
    return Array.isArray(records) ? records.filter(isRecord).map(migrate) : [];
  }

  get(id: string): GenerationRecord | undefined {
    return this.list().find((r) => r.id === id);
  }

  latest(predicate: (record: GenerationRecord) => boolean = () => true): GenerationRecord | undefined {
    return this.list().find(predicate);
  }

  /** A connection's generations, newest first. */
  forConnection(connectionId: string): GenerationRecord[] {
    return this.list().filter((r) => r.connectionId === connectionId);
  }

  async save(record: GenerationRecord): Promise<void> {
    const all = [record, ...this.list().filter((r) => r.id !== record.id)];
    const perTarget = new Map<string, number>();
    const kept = all.filter((r) => {
      const target = r.connectionId ?? r.page.id;
      const count = (perTarget.get(target) ?? 0) + 1;
      perTarget.set(target, count);
      return count <= MAX_RECORDS_PER_TARGET;
    });
    await this.store.update(KEY, kept);
    this.changed();
  }

  async deleteForConnection(connectionId: string): Promise<void> {
    await this.store.update(KEY, this.list().filter((r) => r.connectionId !== connectionId));
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * Records from before Visen wrote blocks kept a markdown copy of the whole page for undo and counted
 * markdown pieces: the copy goes (it made stored state grow without bound), the counts become blocks.
 */
function migrate(record: GenerationRecord): GenerationRecord {
  const old = record as GenerationRecord & { snapshot?: unknown; notionBlocks?: number; writtenNotionBlocks?: number };
  if (old.snapshot === undefined && old.notionBlocks === undefined) return record;
  const { snapshot, notionBlocks, writtenNotionBlocks, ...rest } = old;
  return {
    ...rest,
    blocks: notionBlocks ?? rest.blocks,
    writtenBlocks: writtenNotionBlocks ?? rest.writtenBlocks,
    legacy: rest.blockIds === undefined ? true : rest.legacy,
  };
}

function isRecord(value: unknown): value is GenerationRecord {
  if (!value || typeof value !== 'object') return false;
  const r = value as Partial<GenerationRecord>;
  return typeof r.id === 'string' && typeof r.markdown === 'string' && typeof r.page?.id === 'string' && typeof r.prompt === 'string';
}
