import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { EngineKind, TokenUsage } from '../engines/engine';
import { ENGINE_LABELS } from '../engines/engineLoader';
import type { KeyValueStore } from '../keyValueStore';
import { type Logger, silentLogger } from '../logger';
import { isLive, LEASE_TIMING, leaseText, newOwnerId, readLease } from '../storage/leases';
import { DiskFolder, type RecordFolder, recordFileName } from '../storage/recordFolder';
import { setAside } from '../storage/setAside';
import { count, fromOwnStored, readEntry, type StoredFormat, toStored } from '../storage/storedEntry';

import { WRITE_MODES, type WriteMode } from './writeMode';

export { WRITE_MODES, type WriteMode, type WritePlan } from './writeMode';

export type GenerationStatus =
  | 'generating'
  | 'written' // everything generated is in Notion
  | 'writeFailed' // generated, not (fully) written: can be written again without generating
  | 'cancelled'
  | 'failed' // the engine failed
  | 'interrupted'; // VS Code stopped mid-run (a reload, a crash): the text and ids so far are kept

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
export type RecordPatch = Partial<
  Omit<GenerationRecord, 'id' | 'createdAt' | 'page' | 'prompt' | 'engine' | 'model' | 'mode' | 'connectionId'>
>;

/** A new run's record, before anything is generated or written. */
export function newRecord(
  run: {
    readonly connectionId?: string;
    readonly page: { readonly id: string; readonly title: string; readonly url: string };
    readonly prompt: string;
    readonly engine: EngineKind;
    readonly model: string;
    readonly mode: WriteMode;
  },
  fields: RecordPatch = {},
): GenerationRecord {
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
const GenerationRecordSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  connectionId: v.optional(v.string()),
  page: v.object({ id: v.pipe(v.string(), v.minLength(1)), title: v.string(), url: v.string() }),
  prompt: v.string(),
  engine: v.picklist(Object.keys(ENGINE_LABELS) as EngineKind[]),
  model: v.string(),
  mode: v.picklist(WRITE_MODES),
  status: v.picklist([
    'generating',
    'written',
    'writeFailed',
    'cancelled',
    'failed',
    'interrupted',
  ] as const satisfies readonly GenerationStatus[]),
  markdown: v.string(),
  blocks: count,
  writtenBlocks: count,
  blockIds: v.optional(v.pipe(v.array(v.string()), v.readonly())),
  anchor: v.optional(v.object({ after: v.optional(v.string()), before: v.optional(v.string()) })),
  uncertainBlocks: v.optional(count),
  proof: v.optional(
    v.pipe(
      v.object({
        hashes: v.pipe(v.record(v.string(), v.string()), v.readonly()),
        pageEnd: v.optional(v.nullable(v.string())),
        sentAt: v.optional(v.pipe(v.string(), v.isoTimestamp())),
      }),
      v.readonly(),
    ),
  ),
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
const schemaMirrorsRecord: Same<v.InferOutput<typeof GenerationRecordSchema>, GenerationRecord> &
  Same<keyof v.InferOutput<typeof GenerationRecordSchema>, keyof GenerationRecord> = true;
void schemaMirrorsRecord;
const statusesAreAll: Same<v.InferOutput<typeof GenerationRecordSchema>['status'], GenerationStatus> = true;
void statusesAreAll;

/**
 * Version 1: records as they were stored before versions (some from before Visen wrote blocks, with a
 * markdown copy of the whole page); version 2: blocks and ids only.
 */
const GENERATION_RECORD_FORMAT: StoredFormat<GenerationRecord> = {
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
/** The largest history `visen.history.maxSizeMB` allows. */
export const MAX_HISTORY_MAX_SIZE_MB = 200;
const RECORD = '.json';
const LEASE = '.lease';

export interface GenerationStoreOptions {
  /** How large the stored history may grow (`visen.history.maxSizeMB`); read at every save. */
  readonly maxSizeMB?: () => number;
  readonly logger?: Logger;
  /**
   * Where the records are kept, one file each, shared by every window on the machine (a folder under
   * `globalStorageUri` in the extension). Without it, the key-value store's own (a MemoryStore's, in memory).
   */
  readonly folder?: string | RecordFolder;
  /** This window's id, for the leases of the runs it is making. */
  readonly owner?: string;
  readonly leaseTiming?: typeof LEASE_TIMING;
  /** Told once when records whose text is not all in Notion keep the history over its limit. */
  readonly onFull?: (full: { readonly sizeMB: number; readonly limitMB: number }) => void;
}

/** What start-up found in the stored history. */
export interface HistoryRecovery {
  /** Damaged records moved out of the history (kept under the set-aside key). */
  readonly setAside: number;
  /** Runs left `generating` by a window that is gone (closed, reloaded, crashed), now `interrupted`. */
  readonly interrupted: number;
}

interface Entry {
  /** The store's own copy of the record, as stored. */
  readonly record: GenerationRecord;
  /** Its stored JSON's length in UTF-8 bytes. */
  readonly size: number;
  /** The file's stamp when it was read or written: another one means someone else wrote it since. */
  readonly stamp: string;
  readonly mtime: number;
  /** Stored in an older format: start-up stores it in the current one. */
  readonly migrated?: boolean;
}

/** Files in the folder this version does not read (damaged, or written by a newer Visen): left as they are. */
interface Unread {
  readonly size: number;
  readonly stamp: string;
  /** Set for damaged files, until start-up sets them aside. */
  readonly damage?: { readonly value: unknown; readonly problem: string };
}

/**
 * The local history of generations, newest first. Each record is a file of its own in a folder every window
 * shares, written whole (write aside, then rename), so a save costs the size of its record, not of the
 * history, and never rewrites what another window saved. A run being made holds a lease, renewed every few
 * seconds: only a run whose window is gone is marked interrupted.
 */
export class GenerationStore {
  private readonly listeners = new Set<() => void>();
  private readonly reported = new Set<string>();
  private readonly folder: RecordFolder;
  private readonly owner: string;
  private readonly timing: typeof LEASE_TIMING;
  private readonly entries = new Map<string, Entry>();
  private readonly unread = new Map<string, Unread>();
  private legacyRaw: unknown;
  /** Records still under the old single key, until start-up moves them into files. */
  private legacy:
    | { readonly records: GenerationRecord[]; readonly others: unknown[]; readonly damaged: { value: unknown; problem: string }[] }
    | undefined;
  private token: string | undefined;
  private sorted: GenerationRecord[] | undefined;
  private readonly leases = new Map<string, ReturnType<typeof setInterval>>();
  private readonly turns = new Map<string, Promise<void>>();
  /** Records saved by this window whose file is still being written: the newest of each. */
  private readonly unsaved = new Map<string, GenerationRecord>();
  private sweep: ReturnType<typeof setInterval> | undefined;
  private readonly watcher: { dispose(): void };
  private notifying = false;
  private warnedFull = false;

  constructor(
    private readonly store: KeyValueStore,
    private readonly options: GenerationStoreOptions = {},
  ) {
    // Without a folder of its own, the history goes where an in-memory store keeps folders (tests, tools).
    const folder = options.folder ?? (store as { readonly folder?: RecordFolder }).folder;
    if (!folder) throw new Error('GenerationStore: no folder for the records');
    this.folder = typeof folder === 'string' ? new DiskFolder(folder) : folder;
    this.owner = options.owner ?? newOwnerId();
    this.timing = options.leaseTiming ?? LEASE_TIMING;
    this.watcher = this.folder.watch((name) => this.changedOnDisk(name));
  }

  /** Calls `listener` after every save or delete, this window's or another's; returns the unsubscribe. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  list(): GenerationRecord[] {
    this.refresh();
    if (!this.sorted) {
      const fromFiles = [...this.entries.values()];
      const ids = new Set(fromFiles.map((e) => e.record.id));
      const legacy = (this.legacy?.records ?? []).filter((r) => !ids.has(r.id)).map((record, i) => ({ record, mtime: -i }));
      this.sorted = [...fromFiles, ...legacy]
        .sort((a, b) => b.record.createdAt.localeCompare(a.record.createdAt) || b.mtime - a.mtime)
        .map((e) => e.record);
    }
    if (this.unsaved.size === 0) return [...this.sorted];
    const listed = new Set(this.sorted.map((r) => r.id));
    const fresh = [...this.unsaved.values()].filter((r) => !listed.has(r.id));
    // Stable: records of the same moment keep their order.
    return [...fresh, ...this.sorted.map((r) => this.unsaved.get(r.id) ?? r)].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): GenerationRecord | undefined {
    this.refresh();
    const unsaved = this.unsaved.get(id);
    if (unsaved) return unsaved;
    return this.entries.get(fileOf(id))?.record ?? this.legacy?.records.find((r) => r.id === id);
  }

  latest(predicate: (record: GenerationRecord) => boolean = () => true): GenerationRecord | undefined {
    return this.list().find(predicate);
  }

  /** A connection's generations, newest first. */
  forConnection(connectionId: string): GenerationRecord[] {
    return this.list().filter((r) => r.connectionId === connectionId);
  }

  /** The stored size of the history, in bytes. */
  size(): number {
    this.refresh();
    let total = 0;
    for (const e of this.entries.values()) total += e.size;
    for (const u of this.unread.values()) total += u.size;
    const ids = new Set([...this.entries.values()].map((e) => e.record.id));
    for (const r of this.legacy?.records ?? []) if (!ids.has(r.id)) total += sizeOf(r);
    return total;
  }

  /**
   * Stores a record. It is this window's record at once (what `get` and `list` give back) while its file is
   * written; files of one record are written one at a time, in the order of the saves.
   */
  async save(record: GenerationRecord): Promise<void> {
    this.unsaved.set(record.id, record);
    try {
      await this.inTurn(record.id, () => this.saveNow(record));
    } finally {
      if (this.unsaved.get(record.id) === record) this.unsaved.delete(record.id);
    }
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

  /** One file write of a record at a time, in the order of the saves: the last one asked for is what stays. */
  private inTurn<T>(id: string, change: () => Promise<T>): Promise<T> {
    const mine = (this.turns.get(id) ?? Promise.resolve()).then(change, change);
    const done = mine.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(id, done);
    void done.then(() => {
      if (this.turns.get(id) === done) this.turns.delete(id);
    });
    return mine;
  }

  private async saveNow(record: GenerationRecord): Promise<void> {
    this.refresh();
    await this.holdLease(record);
    await this.write(record);
    await this.enforceLimit(record);
    this.changed();
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
   * At start-up: records under the old single key move into files, damaged records go to the set-aside key,
   * records of older formats are stored in the current one, runs whose window is gone become `interrupted`
   * (their text and ids kept, so they can be written again or undone), and the size limit is applied. From
   * then on, runs of windows that go away later are marked interrupted once their lease expires.
   */
  async recover(): Promise<HistoryRecovery> {
    this.refresh();
    let changed = false;
    let setAsideCount = 0;
    if (this.legacyRaw !== undefined) {
      setAsideCount += await this.migrateLegacy();
      changed = true;
    }
    const damaged = [...this.unread].filter(([, u]) => u.damage);
    if (damaged.length) {
      await setAside(
        this.store,
        KEY,
        damaged.map(([, u]) => u.damage!),
      );
      for (const [file, u] of damaged) {
        this.logger.warn(`History: set aside a damaged generation record (${u.damage!.problem}).`);
        await this.folder.remove(file);
        this.unread.delete(file);
      }
      setAsideCount += damaged.length;
      changed = true;
    }
    for (const entry of [...this.entries.values()]) {
      if (entry.migrated) {
        await this.write(entry.record);
        changed = true;
      }
    }
    const interrupted = await this.interruptOrphans(false);
    const before = this.entries.size;
    await this.enforceLimit();
    if (changed || interrupted || this.entries.size !== before) this.changed();
    if (interrupted)
      this.logger.info(`History: ${interrupted} generation(s) were cut short by a reload or a crash and are marked interrupted.`);
    this.sweep ??= setInterval(
      () => void this.interruptOrphans(true).catch((error: unknown) => this.logger.warn(`History: ${String(error)}`)),
      this.timing.renewMs,
    );
    this.sweep.unref?.();
    return { setAside: setAsideCount, interrupted };
  }

  /** Stops watching the folder and renewing leases (the window is closing). */
  dispose(): void {
    this.watcher.dispose();
    if (this.sweep) clearInterval(this.sweep);
    for (const timer of this.leases.values()) clearInterval(timer);
    this.leases.clear();
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  private get limitBytes(): number {
    const mb = this.options.maxSizeMB?.() ?? DEFAULT_HISTORY_MAX_SIZE_MB;
    return Math.min(MAX_HISTORY_MAX_SIZE_MB, Math.max(1, Number.isFinite(mb) ? mb : DEFAULT_HISTORY_MAX_SIZE_MB)) * MB;
  }

  /** A run being made holds a lease, renewed every few seconds while it runs; its other states hold none. */
  private async holdLease(record: GenerationRecord): Promise<void> {
    const file = leaseOf(record.id);
    if (record.status === 'generating') {
      if (this.leases.has(record.id)) return;
      await this.folder.write(file, leaseText(this.owner, this.timing.durationMs));
      const timer = setInterval(
        () => void this.folder.write(file, leaseText(this.owner, this.timing.durationMs)).catch(() => undefined),
        this.timing.renewMs,
      );
      timer.unref?.();
      this.leases.set(record.id, timer);
      return;
    }
    const timer = this.leases.get(record.id);
    if (timer === undefined) return;
    clearInterval(timer);
    this.leases.delete(record.id);
    await this.folder.remove(file);
  }

  /** Runs left `generating` whose window is gone (no live lease) become `interrupted`. */
  private async interruptOrphans(notify: boolean): Promise<number> {
    this.refresh();
    const now = Date.now();
    let interrupted = 0;
    for (const record of this.list()) {
      if (record.status !== 'generating' || this.leases.has(record.id)) continue;
      if (isLive(readLease(this.folder, leaseOf(record.id)), now)) continue;
      await this.write({ ...record, status: 'interrupted' });
      await this.folder.remove(leaseOf(record.id));
      interrupted++;
    }
    if (notify && interrupted) {
      this.logger.info(`History: ${interrupted} generation(s) of a window that closed or crashed are marked interrupted.`);
      this.changed();
    }
    return interrupted;
  }

  private async migrateLegacy(): Promise<number> {
    const legacy = this.legacy;
    for (const record of legacy?.records ?? []) {
      const text = JSON.stringify(toStored(GENERATION_RECORD_FORMAT, record));
      // A file already there is newer than the list (another window moved it and saved since).
      if (this.entries.has(fileOf(record.id)) || !(await this.folder.create(fileOf(record.id), text))) continue;
    }
    for (const other of legacy?.others ?? []) {
      const id = (other as { id?: unknown }).id;
      await this.folder.create(fileOf(typeof id === 'string' ? id : JSON.stringify(other)), JSON.stringify(other));
    }
    const damaged = legacy?.damaged ?? [];
    await setAside(this.store, KEY, damaged);
    for (const d of damaged) this.logger.warn(`History: set aside a damaged generation record (${d.problem}).`);
    await this.store.update(KEY, undefined);
    this.token = undefined;
    this.refresh();
    return damaged.length;
  }

  private async remove(predicate: (record: GenerationRecord) => boolean): Promise<number> {
    let removed = 0;
    for (const record of this.list()) {
      if (!predicate(record)) continue;
      await this.removeRecord(record);
      removed++;
    }
    this.changed();
    return removed;
  }

  private async removeRecord(record: GenerationRecord): Promise<void> {
    const timer = this.leases.get(record.id);
    if (timer !== undefined) clearInterval(timer);
    this.leases.delete(record.id);
    await this.folder.remove(fileOf(record.id));
    await this.folder.remove(leaseOf(record.id));
    this.entries.delete(fileOf(record.id));
    this.sorted = undefined;
  }

  /** Over the limit, the oldest records safely in Notion go first; nothing else is ever dropped. */
  private async enforceLimit(saving?: GenerationRecord): Promise<void> {
    const limit = this.limitBytes;
    let total = this.size();
    if (total <= limit) return;
    const candidates = this.list()
      .filter((r) => r.id !== saving?.id && isSafelyInNotion(r))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    let evicted = 0;
    for (const record of candidates) {
      if (total <= limit) break;
      total -= this.entries.get(fileOf(record.id))?.size ?? 0;
      await this.removeRecord(record);
      evicted++;
    }
    if (evicted) this.logger.info(`History: over ${limit / MB} MB, removed the ${evicted} oldest generation(s) whose text is in Notion.`);
    if (total > limit && !this.warnedFull) {
      this.warnedFull = true;
      this.logger.warn(
        `History: ${(total / MB).toFixed(1)} MB, over the ${limit / MB} MB of visen.history.maxSizeMB, in generations whose text is not all in Notion. ` +
          'They are kept: write them again (Retry Write) or clear them with Visen: Clear History.',
      );
      this.options.onFull?.({ sizeMB: Math.round((total / MB) * 10) / 10, limitMB: limit / MB });
    }
  }

  /**
   * A file changed (this window's own writes are seen here too): a record file whose stamp is the one this
   * window knows is left alone; another is read again; without a name, the whole folder is looked at again.
   */
  private changedOnDisk(name: string | undefined): void {
    if (name !== undefined && (name.startsWith('.') || !name.endsWith(RECORD))) return;
    if (name !== undefined) {
      const file = this.folder.stat(name);
      const known = this.entries.get(name) ?? this.unread.get(name);
      if (file && known?.stamp === file.stamp) return;
      if (!file && !known) return;
    }
    this.token = undefined;
    this.refresh();
  }

  /** Brings the records up to what the folder holds (cheap when nothing changed: one look at the folder). */
  private refresh(): void {
    const raw = this.store.get<unknown>(KEY);
    if (raw !== this.legacyRaw) {
      this.legacyRaw = raw;
      this.legacy = raw === undefined ? undefined : this.readLegacy(raw);
      this.sorted = undefined;
    }
    const token = this.folder.token();
    if (token === this.token) return;
    this.token = token;
    let changed = false;
    const seen = new Set<string>();
    for (const file of this.folder.list(RECORD)) {
      seen.add(file.name);
      if ((this.entries.get(file.name) ?? this.unread.get(file.name))?.stamp === file.stamp) continue;
      changed = true;
      const text = this.folder.read(file.name);
      if (text === undefined) {
        seen.delete(file.name);
        continue;
      }
      const read = parse(text);
      if (read.kind === 'valid') {
        this.entries.set(file.name, { record: read.value, size: file.size, stamp: file.stamp, mtime: file.mtime, migrated: read.migrated });
        this.unread.delete(file.name);
        continue;
      }
      this.entries.delete(file.name);
      const damage = read.kind === 'damaged' ? { value: read.raw, problem: read.problem } : undefined;
      this.unread.set(file.name, { size: file.size, stamp: file.stamp, damage });
      if (damage)
        this.report(
          file.name,
          `A stored generation record (${file.name}) is damaged and is not shown: ${damage.problem}. It is kept, not deleted.`,
        );
    }
    for (const map of [this.entries, this.unread] as Map<string, unknown>[]) {
      for (const name of [...map.keys()]) {
        if (seen.has(name)) continue;
        map.delete(name);
        changed = true;
      }
    }
    if (changed) {
      this.sorted = undefined;
      this.changed(true);
    }
  }

  private readLegacy(raw: unknown): NonNullable<GenerationStore['legacy']> {
    const legacy = { records: [] as GenerationRecord[], others: [] as unknown[], damaged: [] as { value: unknown; problem: string }[] };
    if (!Array.isArray(raw)) {
      legacy.damaged.push({ value: raw, problem: 'the history is not a list' });
      this.report('whole', 'The stored generation history is damaged (not a list) and is not shown. It is kept aside, not deleted.');
      return legacy;
    }
    const ids = new Set<string>();
    raw.forEach((value, index) => {
      const read = readEntry(GENERATION_RECORD_FORMAT, value);
      if (read.kind === 'valid' && !ids.has(read.value.id)) {
        ids.add(read.value.id);
        legacy.records.push(read.value);
        return;
      }
      if (read.kind === 'newer') {
        legacy.others.push(value);
        return;
      }
      const problem = read.kind === 'damaged' ? read.problem : 'the same id as a newer record';
      legacy.damaged.push({ value, problem });
      this.report(
        `${index}:${problem}`,
        `A stored generation record (entry ${index + 1}) is damaged and is not shown: ${problem}. It is kept, not deleted.`,
      );
    });
    return legacy;
  }

  private report(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.warn(message);
  }

  /** Stores one record in its own file, and holds the copy read from it. */
  private async write(record: GenerationRecord): Promise<void> {
    const file = fileOf(record.id);
    const text = JSON.stringify(toStored(GENERATION_RECORD_FORMAT, record));
    const before = this.folder.token();
    await this.folder.write(file, text);
    const stat = this.folder.stat(file);
    // Nobody else wrote since this window last looked: the folder's new state is known without a new look.
    if (before === this.token) this.token = this.folder.token();
    if (stat)
      this.entries.set(file, {
        record: fromOwnStored<GenerationRecord>(JSON.parse(text)),
        size: stat.size,
        stamp: stat.stamp,
        mtime: stat.mtime,
      });
    this.sorted = undefined;
  }

  /** Tells the listeners, at once for this window's changes, soon (once) for what another window wrote. */
  private changed(later = false): void {
    if (!later) {
      for (const listener of this.listeners) listener();
      return;
    }
    if (this.notifying) return;
    this.notifying = true;
    setImmediate(() => {
      this.notifying = false;
      for (const listener of this.listeners) listener();
    });
  }
}

type Parsed = ReturnType<typeof readEntry<GenerationRecord>> & { raw?: unknown };

function parse(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'damaged', problem: 'not JSON', raw: text };
  }
  return { ...readEntry(GENERATION_RECORD_FORMAT, value), raw: value };
}

/** The file of a record: its id when that makes a plain file name, else a digest of it. */
function fileOf(id: string): string {
  return recordFileName(id, RECORD);
}

function leaseOf(id: string): string {
  return fileOf(id).slice(0, -RECORD.length) + LEASE;
}

function sizeOf(record: GenerationRecord): number {
  return Buffer.byteLength(JSON.stringify(toStored(GENERATION_RECORD_FORMAT, record)), 'utf8');
}
