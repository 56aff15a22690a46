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
  readonly page: { readonly id: string; readonly title: string; readonly url: string };
  readonly prompt: string;
  readonly engine: EngineKind;
  readonly model: string;
  readonly mode: WriteMode;
  status: GenerationStatus;
  /** The full generated markdown (so far, while generating). */
  markdown: string;
  /** Complete markdown blocks generated. */
  blocks: number;
  /** How many of those blocks are in Notion; a retry writes the rest. */
  writtenBlocks: number;
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

const KEY = 'visen.generations';
/** Old records past this count are dropped; each holds a whole generated document. */
const MAX_RECORDS = 100;

/** The local history of generations, newest first. */
export class GenerationStore {
  constructor(private readonly store: KeyValueStore) {}

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

  async save(record: GenerationRecord): Promise<void> {
    const others = this.list().filter((r) => r.id !== record.id);
    await this.store.update(KEY, [record, ...others].slice(0, MAX_RECORDS));
  }
}

function isRecord(value: unknown): value is GenerationRecord {
  if (!value || typeof value !== 'object') return false;
  const r = value as Partial<GenerationRecord>;
  return typeof r.id === 'string' && typeof r.markdown === 'string' && typeof r.page?.id === 'string' && typeof r.prompt === 'string';
}
