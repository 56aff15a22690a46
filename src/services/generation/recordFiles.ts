import { isLive, type LEASE_TIMING, leaseText, readLease } from '../storage/leases';
import { type RecordFolder, recordFileName } from '../storage/recordFolder';
import { fromOwnStored, readEntry, toStored } from '../storage/storedEntry';

import { GENERATION_RECORD_FORMAT, type GenerationRecord } from './generationRecord';

const RECORD = '.json';
const LEASE = '.lease';

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
 * The history's folder as this window last read it: one file a record, written whole (write aside, then
 * rename). Reading it again is cheap when nothing changed: one look at the folder.
 */
export class RecordFiles {
  /** The records read, by file name. */
  readonly entries = new Map<string, Entry>();
  readonly unread = new Map<string, Unread>();
  private token: string | undefined;

  constructor(
    readonly folder: RecordFolder,
    private readonly report: (key: string, message: string) => void,
  ) {}

  entry(id: string): Entry | undefined {
    return this.entries.get(fileOf(id));
  }

  /** Forgets what the folder held, so the next `refresh` reads it again. */
  forget(): void {
    this.token = undefined;
  }

  /**
   * A file changed (this window's own writes are seen here too): a record file whose stamp is the one this
   * window knows is left alone (false); for another, or without a name, the folder is to be read again.
   */
  changedOnDisk(name: string | undefined): boolean {
    if (name !== undefined && (name.startsWith('.') || !name.endsWith(RECORD))) return false;
    if (name !== undefined) {
      const file = this.folder.stat(name);
      const known = this.entries.get(name) ?? this.unread.get(name);
      if (file && known?.stamp === file.stamp) return false;
      if (!file && !known) return false;
    }
    this.token = undefined;
    return true;
  }

  /** Brings the records up to what the folder holds; whether anything changed. */
  refresh(): boolean {
    const token = this.folder.token();
    if (token === this.token) return false;
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
    return changed;
  }

  /** Stores one record in its own file, and holds the copy read from it. */
  async write(record: GenerationRecord): Promise<void> {
    const file = fileOf(record.id);
    const text = storedText(record);
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
  }

  /** Creates the file of `id` with `text` unless it is there already; whether it did. */
  create(id: string, text: string): Promise<boolean> {
    return this.folder.create(fileOf(id), text);
  }

  /** Removes a record's file and its lease's. */
  async remove(id: string): Promise<void> {
    await this.folder.remove(fileOf(id));
    await this.folder.remove(leaseOf(id));
    this.entries.delete(fileOf(id));
  }

  /** Removes a file this version does not read (a damaged one, once set aside). */
  async removeUnread(file: string): Promise<void> {
    await this.folder.remove(file);
    this.unread.delete(file);
  }

  /** The stored size of the files, in bytes. */
  size(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.size;
    for (const u of this.unread.values()) total += u.size;
    return total;
  }
}

/** The leases of the runs this window is making, renewed every few seconds while they run. */
export class RecordLeases {
  private readonly timers = new Map<string, ReturnType<typeof setInterval>>();

  constructor(
    private readonly folder: RecordFolder,
    private readonly owner: string,
    private readonly timing: typeof LEASE_TIMING,
  ) {}

  /** A run being made holds a lease, renewed every few seconds while it runs; its other states hold none. */
  async hold(record: GenerationRecord): Promise<void> {
    const file = leaseOf(record.id);
    if (record.status === 'generating') {
      if (this.timers.has(record.id)) return;
      await this.folder.write(file, leaseText(this.owner, this.timing.durationMs));
      const timer = setInterval(
        () => void this.folder.write(file, leaseText(this.owner, this.timing.durationMs)).catch(() => undefined),
        this.timing.renewMs,
      );
      timer.unref?.();
      this.timers.set(record.id, timer);
      return;
    }
    const timer = this.timers.get(record.id);
    if (timer === undefined) return;
    clearInterval(timer);
    this.timers.delete(record.id);
    await this.folder.remove(file);
  }

  /** Whether the run `id` is being made, by this window or by another that is still there. */
  isHeld(id: string, now: number): boolean {
    return this.timers.has(id) || isLive(readLease(this.folder, leaseOf(id)), now);
  }

  /** Removes the lease file a window that is gone left. */
  async removeExpired(id: string): Promise<void> {
    await this.folder.remove(leaseOf(id));
  }

  /** Stops renewing the lease of `id` (its record goes). */
  drop(id: string): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) clearInterval(timer);
    this.timers.delete(id);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }
}

/** Records under the old single key (one list for the whole history), until start-up moves them into files. */
export interface LegacyHistory {
  readonly records: GenerationRecord[];
  readonly others: unknown[];
  readonly damaged: { value: unknown; problem: string }[];
}

export function readLegacyHistory(raw: unknown, report: (key: string, message: string) => void): LegacyHistory {
  const legacy = { records: [] as GenerationRecord[], others: [] as unknown[], damaged: [] as { value: unknown; problem: string }[] };
  if (!Array.isArray(raw)) {
    legacy.damaged.push({ value: raw, problem: 'the history is not a list' });
    report('whole', 'The stored generation history is damaged (not a list) and is not shown. It is kept aside, not deleted.');
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
    report(
      `${index}:${problem}`,
      `A stored generation record (entry ${index + 1}) is damaged and is not shown: ${problem}. It is kept, not deleted.`,
    );
  });
  return legacy;
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

/** A record as its file holds it. */
export function storedText(record: GenerationRecord): string {
  return JSON.stringify(toStored(GENERATION_RECORD_FORMAT, record));
}

export function sizeOf(record: GenerationRecord): number {
  return Buffer.byteLength(storedText(record), 'utf8');
}
