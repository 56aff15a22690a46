import type { KeyValueStore } from '../keyValueStore';
import { type Logger, silentLogger } from '../logger';
import { LEASE_TIMING, newOwnerId } from '../storage/leases';
import { DiskFolder, type RecordFolder } from '../storage/recordFolder';
import { setAside } from '../storage/setAside';
import { Turns } from '../storage/turns';

import { type GenerationRecord, isSafelyInNotion, type RecordPatch } from './generationRecord';
import { type LegacyHistory, readLegacyHistory, RecordFiles, RecordLeases, sizeOf, storedText } from './recordFiles';

const KEY = 'visen.generations';
const MB = 1024 * 1024;
export const DEFAULT_HISTORY_MAX_SIZE_MB = 20;
/** The largest history `visen.history.maxSizeMB` allows. */
export const MAX_HISTORY_MAX_SIZE_MB = 200;

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

/**
 * The local history of generations, newest first. Each record is a file of its own in a folder every window
 * shares, written whole (write aside, then rename), so a save costs the size of its record, not of the
 * history, and never rewrites what another window saved. A run being made holds a lease, renewed every few
 * seconds: only a run whose window is gone is marked interrupted.
 */
export class GenerationStore {
  private readonly listeners = new Set<() => void>();
  private readonly reported = new Set<string>();
  private readonly files: RecordFiles;
  private readonly leases: RecordLeases;
  private readonly timing: typeof LEASE_TIMING;
  private legacyRaw: unknown;
  /** Records still under the old single key, until start-up moves them into files. */
  private legacy: LegacyHistory | undefined;
  private sorted: GenerationRecord[] | undefined;
  private readonly turns = new Turns();
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
    const records = typeof folder === 'string' ? new DiskFolder(folder) : folder;
    this.timing = options.leaseTiming ?? LEASE_TIMING;
    this.files = new RecordFiles(records, (key, message) => this.report(key, message));
    this.leases = new RecordLeases(records, options.owner ?? newOwnerId(), this.timing);
    this.watcher = records.watch((name) => {
      if (this.files.changedOnDisk(name)) this.refresh();
    });
  }

  /** Calls `listener` after every save or delete, this window's or another's; returns the unsubscribe. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  list(): GenerationRecord[] {
    this.refresh();
    if (!this.sorted) {
      const fromFiles = [...this.files.entries.values()];
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
    return this.files.entry(id)?.record ?? this.legacy?.records.find((r) => r.id === id);
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
    let total = this.files.size();
    const ids = new Set([...this.files.entries.values()].map((e) => e.record.id));
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
    return this.turns.run(id, change);
  }

  private async saveNow(record: GenerationRecord): Promise<void> {
    this.refresh();
    await this.leases.hold(record);
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
    const damaged = [...this.files.unread].filter(([, u]) => u.damage);
    if (damaged.length) {
      await setAside(
        this.store,
        KEY,
        damaged.map(([, u]) => u.damage!),
      );
      for (const [file, u] of damaged) {
        this.logger.warn(`History: set aside a damaged generation record (${u.damage!.problem}).`);
        await this.files.removeUnread(file);
      }
      setAsideCount += damaged.length;
      changed = true;
    }
    for (const entry of [...this.files.entries.values()]) {
      if (entry.migrated) {
        await this.write(entry.record);
        changed = true;
      }
    }
    const interrupted = await this.interruptOrphans(false);
    const before = this.files.entries.size;
    await this.enforceLimit();
    if (changed || interrupted || this.files.entries.size !== before) this.changed();
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
    this.leases.dispose();
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  private get limitBytes(): number {
    const mb = this.options.maxSizeMB?.() ?? DEFAULT_HISTORY_MAX_SIZE_MB;
    return Math.min(MAX_HISTORY_MAX_SIZE_MB, Math.max(1, Number.isFinite(mb) ? mb : DEFAULT_HISTORY_MAX_SIZE_MB)) * MB;
  }

  /** Runs left `generating` whose window is gone (no live lease) become `interrupted`. */
  private async interruptOrphans(notify: boolean): Promise<number> {
    this.refresh();
    const now = Date.now();
    let interrupted = 0;
    for (const record of this.list()) {
      if (record.status !== 'generating' || this.leases.isHeld(record.id, now)) continue;
      await this.write({ ...record, status: 'interrupted' });
      await this.leases.removeExpired(record.id);
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
      const text = storedText(record);
      // A file already there is newer than the list (another window moved it and saved since).
      if (this.files.entry(record.id) || !(await this.files.create(record.id, text))) continue;
    }
    for (const other of legacy?.others ?? []) {
      const id = (other as { id?: unknown }).id;
      await this.files.create(typeof id === 'string' ? id : JSON.stringify(other), JSON.stringify(other));
    }
    const damaged = legacy?.damaged ?? [];
    await setAside(this.store, KEY, damaged);
    for (const d of damaged) this.logger.warn(`History: set aside a damaged generation record (${d.problem}).`);
    await this.store.update(KEY, undefined);
    this.files.forget();
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
    this.leases.drop(record.id);
    await this.files.remove(record.id);
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
      total -= this.files.entry(record.id)?.size ?? 0;
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

  /** Brings the records up to what the folder holds (cheap when nothing changed: one look at the folder). */
  private refresh(): void {
    const raw = this.store.get<unknown>(KEY);
    if (raw !== this.legacyRaw) {
      this.legacyRaw = raw;
      this.legacy = raw === undefined ? undefined : readLegacyHistory(raw, (key, message) => this.report(key, message));
      this.sorted = undefined;
    }
    if (this.files.refresh()) {
      this.sorted = undefined;
      this.changed(true);
    }
  }

  private report(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.warn(message);
  }

  private async write(record: GenerationRecord): Promise<void> {
    await this.files.write(record);
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
