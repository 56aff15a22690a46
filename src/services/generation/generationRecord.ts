import type { EngineKind, TokenUsage } from '../engines/engine';
import type { KeyValueStore } from '../keyValueStore';
import type { PageSnapshot } from '../notion/pageWriter';

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
  /** Complete markdown blocks generated: the pieces Visen writes, one request holding one or more. */
  blocks: number;
  /** How many of those pieces are in Notion; a retry writes the rest. */
  writtenBlocks: number;
  /** The Notion blocks those pieces make at the top of the page (a 3-item list is 3): what a person counts. */
  notionBlocks?: number;
  /** The Notion blocks of the pieces written. */
  writtenNotionBlocks?: number;
  usage?: TokenUsage;
  snapshot?: PageSnapshot;
  error?: string;
  timings: {
    firstTokenMs?: number;
    firstWriteMs?: number;
    generationMs?: number;
    totalMs?: number;
  };
  undoneAt?: string;
}

/** What to tell a person about a record's blocks: Notion blocks, or pieces for records from before they were counted. */
export function blockCounts(record: GenerationRecord): { readonly written: number; readonly total: number } {
  return { written: record.writtenNotionBlocks ?? record.writtenBlocks, total: record.notionBlocks ?? record.blocks };
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
    return Array.isArray(records) ? records.filter(isRecord) : [];
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

function isRecord(value: unknown): value is GenerationRecord {
  if (!value || typeof value !== 'object') return false;
  const r = value as Partial<GenerationRecord>;
  return typeof r.id === 'string' && typeof r.markdown === 'string' && typeof r.page?.id === 'string' && typeof r.prompt === 'string';
}
