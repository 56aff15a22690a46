import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { EngineKind, TokenUsage } from '../engines/engine';
import { ENGINE_LABELS } from '../engines/engineLoader';
import type { KeyValueStore } from '../keyValueStore';
import { type Logger, silentLogger } from '../logger';
import { setAside } from '../storage/setAside';
import { count, fromOwnStored, readEntry, type StoredFormat, toStored } from '../storage/storedEntry';

import { WRITE_MODES, type WriteMode } from './writeMode';

export { WRITE_MODES, type WriteMode, type WritePlan } from './writeMode';

export type GenerationStatus =
  | 'generating'
  | 'written'       // everything generated is in Notion
  | 'writeFailed'   // generated, not (fully) written: can be written again without generating
  | 'cancelled'
  | 'failed'        // the engine failed
  | 'interrupted';  // VS Code stopped mid-run (a reload, a crash): the text and ids so far are kept

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
  readonly status: GenerationStatus;
  /** The full generated markdown (so far, while generating). */
  readonly markdown: string;
  /** Top-level Notion blocks generated so far (a 3-item list is 3): what a person counts in the page. */
  readonly blocks: number;
  /** How many of them are fully in Notion, their children included; a retry writes from there. */
  readonly writtenBlocks: number;
  /**
   * The ids of the top-level blocks Visen created, in order: Undo deletes exactly these. Past
   * `writtenBlocks` they exist but their children may not all have landed.
   */
  readonly blockIds?: readonly string[];
  /**
   * Where the text goes when not at the end of the page: right after the block `after` (the start of the page
   * when absent), in front of `before`, the block that followed there when the run began (never one of Visen's).
   * Each next write goes after the last block written, so a retry carries on in place.
   */
  readonly anchor?: { readonly after?: string; readonly before?: string };
  /** The last append's outcome is unknown: this many blocks may have landed after `blockIds`. */
  readonly uncertainBlocks?: number;
  /**
   * What proves which blocks are Visen's: the content hash of each block it wrote, by id (Undo tells an edit by
   * it); appending at the end, the page's last block before the first write (`null`: the page was empty), right
   * after which the first blocks went; when the last top-level append left (blocks found after a lost answer
   * were created then or later).
   */
  readonly proof?: { readonly hashes: Readonly<Record<string, string>>; readonly pageEnd?: string | null; readonly sentAt?: string };
  /** Replace: the page's earlier top-level blocks, and how many of them Visen moved to the trash (Undo restores them). */
  readonly previous?: { readonly ids: readonly string[]; readonly trashed: number };
  readonly usage?: TokenUsage;
  /** The model stopped at its output limit: the page holds what it wrote, the rest was never generated. */
  readonly stoppedAtLimit?: { readonly outputTokens?: number };
  readonly error?: string;
  readonly timings: {
    readonly firstTokenMs?: number;
    readonly firstWriteMs?: number;
    readonly generationMs?: number;
    readonly totalMs?: number;
  };
  readonly undoneAt?: string;
  /** Written by a Visen that kept a copy of the page instead of the ids it wrote: not exactly undoable. */
  readonly legacy?: boolean;
}

/** What changes in a record: any of its fields but those that name it. */
export type RecordPatch = Partial<Omit<GenerationRecord, 'id' | 'createdAt' | 'page' | 'prompt' | 'engine' | 'model' | 'mode' | 'connectionId'>>;

/** A new run's record, before anything is generated or written. */
export function newRecord(run: {
  readonly connectionId?: string;
  readonly page: { readonly id: string; readonly title: string; readonly url: string };
  readonly prompt: string;
  readonly engine: EngineKind;
  readonly model: string;
  readonly mode: WriteMode;
}, fields: RecordPatch = {}): GenerationRecord {
  return {
    id: randomUUID(),
    createdAt: new Date().toISOString(),
    connectionId: run.connectionId,
    page: { id: run.page.id, title: run.page.title, url: run.page.url },
    prompt: run.prompt,
    engine: run.engine,
    model: run.model,
    mode: run.mode,
    status: 'generating',
    markdown: '',
    blocks: 0,
    writtenBlocks: 0,
    blockIds: [],
    timings: {},
    ...fields,
  };
}

/** What to tell a person about a record's blocks. */
export function blockCounts(record: GenerationRecord): { readonly written: number; readonly total: number } {
  return { written: record.writtenBlocks, total: record.blocks };
}

/**
 * Whether the record may go without losing anything: everything it generated is in Notion (or was taken
 * back by Undo, or there was nothing to write). Runs that are going on, were interrupted, failed to write,
 * or were cancelled or failed with text not in Notion are never dropped automatically.
 */
export function isSafelyInNotion(record: GenerationRecord): boolean {
  if (record.undoneAt) return true;
  switch (record.status) {
    case 'written':
      return true;
    case 'cancelled':
      return record.writtenBlocks >= record.blocks && (record.blocks > 0 || record.markdown.trim() === '');
    case 'failed':
      return record.markdown.trim() === '';
    default:
      return false;
  }
}

const nonNegative = v.pipe(v.number(), v.minValue(0));

/** A stored generation record, field for field (the type check below keeps the two in step). */
export const GenerationRecordSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  connectionId: v.optional(v.string()),
  page: v.object({ id: v.pipe(v.string(), v.minLength(1)), title: v.string(), url: v.string() }),
  prompt: v.string(),
  engine: v.picklist(Object.keys(ENGINE_LABELS) as EngineKind[]),
  model: v.string(),
  mode: v.picklist(WRITE_MODES),
  status: v.picklist(['generating', 'written', 'writeFailed', 'cancelled', 'failed', 'interrupted'] as const satisfies readonly GenerationStatus[]),
  markdown: v.string(),
  blocks: count,
  writtenBlocks: count,
  blockIds: v.optional(v.pipe(v.array(v.string()), v.readonly())),
  anchor: v.optional(v.object({ after: v.optional(v.string()), before: v.optional(v.string()) })),
  uncertainBlocks: v.optional(count),
  proof: v.optional(v.pipe(v.object({ hashes: v.pipe(v.record(v.string(), v.string()), v.readonly()), pageEnd: v.optional(v.nullable(v.string())), sentAt: v.optional(v.pipe(v.string(), v.isoTimestamp())) }), v.readonly())),
  previous: v.optional(v.object({ ids: v.pipe(v.array(v.string()), v.readonly()), trashed: count })),
  usage: v.optional(v.object({ inputTokens: count, outputTokens: count })),
  stoppedAtLimit: v.optional(v.object({ outputTokens: v.optional(count) })),
  error: v.optional(v.string()),
  timings: v.object({
    firstTokenMs: v.optional(nonNegative),
    firstWriteMs: v.optional(nonNegative),
    generationMs: v.optional(nonNegative),
    totalMs: v.optional(nonNegative),
  }),
  undoneAt: v.optional(v.string()),
  legacy: v.optional(v.boolean()),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to compile when a field is added to one and not the other, or their types part.
const schemaMirrorsRecord: Same<v.InferOutput<typeof GenerationRecordSchema>, GenerationRecord> & Same<keyof v.InferOutput<typeof GenerationRecordSchema>, keyof GenerationRecord> = true;
void schemaMirrorsRecord;
const statusesAreAll: Same<v.InferOutput<typeof GenerationRecordSchema>['status'], GenerationStatus> = true;
void statusesAreAll;

/**
 * Version 1: records as they were stored before versions (some from before Visen wrote blocks, with a
 * markdown copy of the whole page); version 2: blocks and ids only.
 */
export const GENERATION_RECORD_FORMAT: StoredFormat<GenerationRecord> = {
  version: 2,
  migrations: { 1: fromPageCopies },
  schema: GenerationRecordSchema,
};

/**
 * Records from before Visen wrote blocks kept a markdown copy of the whole page for undo and counted
 * markdown pieces: the copy goes (it made stored state grow without bound), the counts become blocks.
 */
function fromPageCopies(record: Record<string, unknown>): Record<string, unknown> {
  if (record.snapshot === undefined && record.notionBlocks === undefined) return record;
  const { snapshot: _snapshot, notionBlocks, writtenNotionBlocks, ...rest } = record;
  return {
    ...rest,
    blocks: notionBlocks ?? rest.blocks,
    writtenBlocks: writtenNotionBlocks ?? rest.writtenBlocks,
    legacy: rest.blockIds === undefined ? true : rest.legacy,
  };
}

const KEY = 'visen.generations';
const MB = 1024 * 1024;
export const DEFAULT_HISTORY_MAX_SIZE_MB = 20;

export interface GenerationStoreOptions {
  /** How large the stored history may grow (`visen.history.maxSizeMB`); read at every save. */
  readonly maxSizeMB?: () => number;
  readonly logger?: Logger;
}

/** What start-up found in the stored history. */
export interface HistoryRecovery {
  /** Damaged records moved out of the history (kept under the set-aside key). */
  readonly setAside: number;
  /** Runs left `generating` by a reload or a crash, now `interrupted`. */
  readonly interrupted: number;
}

interface Entry {
  /** The store's own copy of the record, read back after each write (see `write`). */
  record: GenerationRecord;
  /** Its stored JSON's length in UTF-8 bytes, as of its last save. */
  size: number;
}

/** The history as read from the store, kept between saves so a save measures only the record it saves. */
interface Loaded {
  /** What the key-value store returned when this was read or written: another value means someone else wrote. */
  raw: unknown;
  /** Newest first. */
  entries: Entry[];
  total: number;
  /** Entries this version does not read (damaged, or written by a newer Visen): written back as they were. */
  kept: unknown[];
  /** The damaged ones among them, until start-up sets them aside. */
  damaged: { readonly value: unknown; readonly problem: string }[];
  /** The stored value was not a list at all: it is set aside before anything replaces it. */
  unreadable?: { readonly value: unknown; readonly problem: string };
  migrated: boolean;
}

/** The local history of generations, newest first. */
export class GenerationStore {
  private readonly listeners = new Set<() => void>();
  private readonly reported = new Set<string>();
  private state: Loaded | undefined;
  private warnedFull = false;

  constructor(
    private readonly store: KeyValueStore,
    private readonly options: GenerationStoreOptions = {},
  ) {}

  /** Calls `listener` after every save or delete; returns the unsubscribe. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  list(): GenerationRecord[] {
    return this.current().entries.map((e) => e.record);
  }

  get(id: string): GenerationRecord | undefined {
    return this.current().entries.find((e) => e.record.id === id)?.record;
  }

  latest(predicate: (record: GenerationRecord) => boolean = () => true): GenerationRecord | undefined {
    return this.current().entries.find((e) => predicate(e.record))?.record;
  }

  /** A connection's generations, newest first. */
  forConnection(connectionId: string): GenerationRecord[] {
    return this.list().filter((r) => r.connectionId === connectionId);
  }

  /** The stored size of the history, in bytes. */
  size(): number {
    return this.current().total;
  }

  async save(record: GenerationRecord): Promise<void> {
    const state = this.current();
    const index = state.entries.findIndex((e) => e.record.id === record.id);
    if (index >= 0) state.total -= state.entries.splice(index, 1)[0].size;
    const size = sizeOf(record);
    state.entries.unshift({ record, size });
    state.total += size;
    this.enforceLimit(state, record);
    await this.write(state);
  }

  /**
   * Changes a stored record: `patch` (or what it computes from the record as stored now) replaces those
   * fields, and the record is saved. The only way a record changes once it is made.
   */
  async update(id: string, patch: RecordPatch | ((record: GenerationRecord) => RecordPatch)): Promise<GenerationRecord> {
    const current = this.get(id);
    if (!current) throw new Error(`Generation ${id} is no longer in the history.`);
    const next: GenerationRecord = { ...current, ...(typeof patch === 'function' ? patch(current) : patch) };
    await this.save(next);
    return next;
  }

  async deleteForConnection(connectionId: string): Promise<void> {
    await this.remove((r) => r.connectionId === connectionId);
  }

  /**
   * Clear History: removes the generations whose text is all in Notion, and with `unwritten` also those
   * whose text is not (a run going on is never removed). Returns how many went.
   */
  async clear(options: { readonly unwritten: boolean }): Promise<number> {
    return this.remove((r) => r.status !== 'generating' && (options.unwritten || isSafelyInNotion(r)));
  }

  /**
   * At start-up: runs a reload or a crash cut short become `interrupted` (their text and ids kept, so
   * they can be written again or undone), damaged records move to the set-aside key, records of older
   * formats are stored in the current one, and the size limit is applied.
   */
  async recover(): Promise<HistoryRecovery> {
    const state = this.current();
    let interrupted = 0;
    for (const entry of state.entries) {
      if (entry.record.status !== 'generating') continue;
      entry.record = { ...entry.record, status: 'interrupted' };
      state.total += sizeOf(entry.record) - entry.size;
      entry.size = sizeOf(entry.record);
      interrupted++;
    }
    const damaged = state.damaged;
    const setAsideCount = damaged.length + (state.unreadable ? 1 : 0);
    const before = state.entries.length;
    this.enforceLimit(state);
    if (interrupted || setAsideCount || state.migrated || state.entries.length !== before) await this.write(state);
    if (interrupted) this.logger.info(`History: ${interrupted} generation(s) were cut short by a reload or a crash and are marked interrupted.`);
    return { setAside: setAsideCount, interrupted };
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  private get limitBytes(): number {
    const mb = this.options.maxSizeMB?.() ?? DEFAULT_HISTORY_MAX_SIZE_MB;
    return Math.max(1, Number.isFinite(mb) ? mb : DEFAULT_HISTORY_MAX_SIZE_MB) * MB;
  }

  private async remove(predicate: (record: GenerationRecord) => boolean): Promise<number> {
    const state = this.current();
    const kept = state.entries.filter((e) => !predicate(e.record));
    const removed = state.entries.length - kept.length;
    state.entries = kept;
    state.total = kept.reduce((sum, e) => sum + e.size, 0);
    await this.write(state);
    return removed;
  }

  /** Over the limit, the oldest records safely in Notion go first; nothing else is dropped. */
  private enforceLimit(state: Loaded, saving?: GenerationRecord): void {
    const limit = this.limitBytes;
    if (state.total <= limit) return;
    const candidates = state.entries
      .filter((e) => e.record !== saving && isSafelyInNotion(e.record))
      .sort((a, b) => a.record.createdAt.localeCompare(b.record.createdAt));
    const evicted = new Set<Entry>();
    for (const entry of candidates) {
      if (state.total <= limit) break;
      evicted.add(entry);
      state.total -= entry.size;
    }
    if (evicted.size) {
      state.entries = state.entries.filter((e) => !evicted.has(e));
      this.logger.info(`History: over ${limit / MB} MB, removed the ${evicted.size} oldest generation(s) whose text is in Notion.`);
    }
    if (state.total > limit && !this.warnedFull) {
      this.warnedFull = true;
      this.logger.warn(
        `History: ${(state.total / MB).toFixed(1)} MB, over the ${limit / MB} MB of visen.history.maxSizeMB, in generations whose text is not all in Notion. ` +
          'They are kept: write them again (Retry Write) or clear them with Visen: Clear History.',
      );
    }
  }

  private current(): Loaded {
    const raw = this.store.get<unknown>(KEY);
    if (!this.state || this.state.raw !== raw) this.state = this.load(raw);
    return this.state;
  }

  private load(raw: unknown): Loaded {
    const state: Loaded = { raw, entries: [], total: 0, kept: [], damaged: [], migrated: false };
    if (raw === undefined) return state;
    if (!Array.isArray(raw)) {
      state.unreadable = { value: raw, problem: 'the history is not a list' };
      this.report(`whole`, `The stored generation history is damaged (not a list) and is not shown. It is kept aside, not deleted.`);
      return state;
    }
    const ids = new Set<string>();
    raw.forEach((value, index) => {
      const read = readEntry(GENERATION_RECORD_FORMAT, value);
      if (read.kind === 'valid' && !ids.has(read.value.id)) {
        ids.add(read.value.id);
        const size = sizeOf(read.value);
        state.entries.push({ record: read.value, size });
        state.total += size;
        state.migrated ||= read.migrated;
        return;
      }
      state.kept.push(value);
      if (read.kind === 'newer') return;
      const problem = read.kind === 'damaged' ? read.problem : 'the same id as a newer record';
      state.damaged.push({ value, problem });
      this.report(`${index}:${problem}`, `A stored generation record (entry ${index + 1}) is damaged and is not shown: ${problem}. It is kept, not deleted.`);
    });
    return state;
  }

  private report(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.warn(message);
  }

  private async write(state: Loaded): Promise<void> {
    // Damaged entries leave the history only once they are safe under the set-aside key.
    if (state.unreadable || state.damaged.length) {
      const damaged = [...(state.unreadable ? [state.unreadable] : []), ...state.damaged];
      await setAside(this.store, KEY, damaged);
      for (const d of damaged) this.logger.warn(`History: set aside a damaged generation record (${d.problem}).`);
      const gone = new Set(state.damaged.map((d) => d.value));
      state.kept = state.kept.filter((value) => !gone.has(value));
      state.damaged = [];
      state.unreadable = undefined;
    }
    state.migrated = false;
    const stored = [...state.entries.map((e) => toStored(GENERATION_RECORD_FORMAT, e.record)), ...state.kept];
    const pending = this.store.update(KEY, stored);
    // Stores hold the new value as soon as `update` is called: later reads know it as this state's.
    const raw = this.store.get<unknown[]>(KEY);
    state.raw = raw;
    // The store keeps a copy of its own (VS Code's Memento a JSON round trip): the records are read back
    // from it, so the history's text is held once rather than twice.
    if (Array.isArray(raw)) state.entries.forEach((entry, i) => (entry.record = fromOwnStored<GenerationRecord>(raw[i])));
    this.state = state;
    await pending;
    for (const listener of this.listeners) listener();
  }
}

function sizeOf(record: GenerationRecord): number {
  return Buffer.byteLength(JSON.stringify(toStored(GENERATION_RECORD_FORMAT, record)), 'utf8');
}
