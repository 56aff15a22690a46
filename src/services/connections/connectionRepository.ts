import { randomUUID } from 'node:crypto';
import * as l10n from '@vscode/l10n';
import type { TokenUsage } from '../engines/engine';
import type { KeyValueStore } from '../keyValueStore';
import type { Logger } from '../logger';
import { acquireLockFile, type LEASE_TIMING, newOwnerId } from '../storage/leases';
import { DiskFolder, type RecordFolder, recordFileName } from '../storage/recordFolder';
import { setAside } from '../storage/setAside';
import { type ReadEntry, readEntry, type StoredFormat, toStored } from '../storage/storedEntry';
import { Turns } from '../storage/turns';
import { Connection, connectionName, ConnectionSchema, ConnectionType, parseConnection } from './connection';

/** Where older versions kept every connection in one list: moved into files once, then left empty. */
const KEY = 'visen.connections';
const RECORD = '.json';
const LOCK = '.lock';

/**
 * Version 2 adds the prompt templates. A version 1 connection has none and reads as it is; the version
 * keeps a Visen that predates templates from saving the connection back without them (it leaves entries of
 * a newer version alone).
 */
const CONNECTION_FORMAT: StoredFormat<Connection> = { version: 2, migrations: { 1: (entry) => entry }, schema: ConnectionSchema };

export interface NewConnection {
  readonly name: string;
  readonly type: ConnectionType;
  readonly target: Connection['target'];
}

export interface ConnectionRepositoryOptions {
  /** The folder every window shares (under `globalStorageUri`), or its path. */
  readonly folder: RecordFolder | string;
  /** This window's id, for the short locks it takes. */
  readonly owner?: string;
  readonly lockTiming?: typeof LEASE_TIMING;
}

type Listener = () => void;

interface FileEntry {
  readonly stamp: string;
  readonly mtime: number;
  readonly read: ReadEntry<Connection> & { readonly raw: unknown };
}

/**
 * The connections on this machine: one file per connection in a folder every window shares, each written
 * whole (write aside, then rename), so a save touches only its own connection. A change of a stored
 * connection (rename, a use counted) reads, changes and writes it under a short lock file of its own, so two
 * windows changing it at once both count. Files are validated on load: a damaged one is reported once and
 * not shown, and at start-up `recover()` moves it to the set-aside key. Changes made by other windows are
 * seen (the folder is watched) and tell the listeners too.
 */
export class ConnectionRepository {
  private readonly listeners = new Set<Listener>();
  private readonly reported = new Set<string>();
  private readonly folder: RecordFolder;
  private readonly owner: string;
  private readonly files = new Map<string, FileEntry>();
  private readonly turns = new Turns();
  private readonly watcher: { dispose(): void };
  private token: string | undefined;
  private sorted: Connection[] | undefined;
  private notifying = false;
  private migrating: Promise<number> | undefined;

  constructor(
    private readonly store: KeyValueStore,
    private readonly logger: Logger,
    private readonly options: ConnectionRepositoryOptions,
  ) {
    this.folder = typeof options.folder === 'string' ? new DiskFolder(options.folder) : options.folder;
    this.owner = options.owner ?? newOwnerId();
    this.watcher = this.folder.watch((name) => this.changedOnDisk(name));
  }

  /** Calls `listener` after every change, this window's or another's; returns the unsubscribe. */
  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Valid connections, most recently used first. */
  list(): Connection[] {
    this.refresh();
    if (!this.sorted) {
      const fromFiles = [...this.files.values()].flatMap((f) => (f.read.kind === 'valid' ? [{ c: f.read.value, mtime: f.mtime }] : []));
      const ids = new Set(fromFiles.map((e) => e.c.id));
      // Until start-up moves them into files: the connections still in the old list.
      const legacy = this.readLegacy()
        .valid.filter((c) => !ids.has(c.id))
        .map((c, i) => ({ c, mtime: Number.MAX_SAFE_INTEGER - 1000 + i }));
      this.sorted = [...fromFiles, ...legacy]
        .sort((a, b) => (b.c.lastUsedAt ?? b.c.createdAt).localeCompare(a.c.lastUsedAt ?? a.c.createdAt) || a.mtime - b.mtime)
        .map((e) => e.c);
    }
    return this.sorted.map((c) => structuredClone(c));
  }

  get(id: string): Connection | undefined {
    return this.list().find((c) => c.id === id);
  }

  findByTarget(targetId: string): Connection | undefined {
    return this.list().find((c) => c.target.id === targetId);
  }

  async create(init: NewConnection): Promise<Connection> {
    const connection: Connection = {
      id: randomUUID(),
      // The name is mirrored to the connections database in Notion: Notion's word, not translated.
      name: connectionName(init.name.trim() || init.target.title || 'Untitled'),
      type: init.type,
      target: init.target,
      createdAt: new Date().toISOString(),
      usage: { prompts: 0, inputTokens: 0, outputTokens: 0 },
    };
    await this.put(connection);
    return connection;
  }

  /** Inserts or replaces by id. */
  async put(connection: Connection): Promise<void> {
    const checked = parseConnection(connection);
    if (!checked.ok) throw new Error(l10n.t('Visen refused to save a connection: {0}', checked.problem));
    await this.locked(connection.id, async () => {
      await this.write(checked.connection);
    });
    this.changed();
  }

  /**
   * Changes a stored connection: `change` gets it as stored now (read under its lock, so a change another
   * window makes meanwhile is never overwritten). Undefined when there is no such connection.
   */
  async update(id: string, change: (connection: Connection) => Connection): Promise<Connection | undefined> {
    const next = await this.locked(id, async () => {
      const current = this.readNow(id);
      if (!current) return undefined;
      const changed = change(structuredClone(current));
      const checked = parseConnection(changed);
      if (!checked.ok) throw new Error(l10n.t('Visen refused to save a connection: {0}', checked.problem));
      await this.write(checked.connection);
      return checked.connection;
    });
    if (next) this.changed();
    return next;
  }

  async rename(id: string, name: string): Promise<Connection | undefined> {
    return this.update(id, (c) => ({ ...c, name: name.trim() }));
  }

  /** Counts a finished generation. */
  async recordUse(id: string, use: { prompt: string; usage?: TokenUsage; title?: string; at?: string }): Promise<Connection | undefined> {
    return this.update(id, (c) => ({
      ...c,
      lastUsedAt: use.at ?? new Date().toISOString(),
      lastPrompt: use.prompt,
      target: use.title ? { ...c.target, title: use.title } : c.target,
      usage: {
        prompts: c.usage.prompts + 1,
        inputTokens: c.usage.inputTokens + (use.usage?.inputTokens ?? 0),
        outputTokens: c.usage.outputTokens + (use.usage?.outputTokens ?? 0),
      },
    }));
  }

  async delete(id: string): Promise<void> {
    await this.locked(id, async () => {
      const file = fileOf(id);
      await this.folder.remove(file);
      this.files.delete(file);
      this.sorted = undefined;
    });
    this.changed();
  }

  /**
   * At start-up: the connections of the old single list move into files (each only when it has none yet,
   * so two windows starting at once store each once), damaged connections move to the set-aside key, and
   * those of an older format are stored in the current one. Returns how many were set aside.
   */
  async recover(): Promise<number> {
    let aside = await this.migrateLegacy();
    this.refresh();
    const damaged = [...this.files].filter(([, f]) => f.read.kind === 'damaged');
    if (damaged.length) {
      await setAside(
        this.store,
        KEY,
        damaged.map(([, f]) => ({ value: f.read.raw, problem: (f.read as { problem: string }).problem })),
      );
      for (const [file, f] of damaged) {
        this.logger.warn(`A stored connection (${file}) was damaged and was set aside: ${(f.read as { problem: string }).problem}.`);
        await this.folder.remove(file);
        this.files.delete(file);
      }
      aside += damaged.length;
    }
    for (const f of [...this.files.values()]) {
      if (f.read.kind === 'valid' && f.read.migrated) await this.update(f.read.value.id, (c) => c);
    }
    this.sorted = undefined;
    if (aside) this.changed();
    return aside;
  }

  /** Stops watching the folder (the window is closing). */
  dispose(): void {
    this.watcher.dispose();
  }

  /** One change of a connection at a time: in this window in order, across windows under its lock file. */
  private locked<T>(id: string, change: () => Promise<T>): Promise<T> {
    const run = async () => {
      await this.migrateLegacy();
      const release = await acquireLockFile(this.folder, recordFileName(id, LOCK), this.owner, {
        pollMs: 20,
        timing: this.options.lockTiming,
      });
      try {
        return await change();
      } finally {
        await release();
      }
    };
    return this.turns.run(id, run);
  }

  /** The connection as its file holds it now (not what this window read before). */
  private readNow(id: string): Connection | undefined {
    const text = this.folder.read(fileOf(id));
    if (text === undefined) return undefined;
    const read = parse(text);
    return read.kind === 'valid' ? read.value : undefined;
  }

  /** Stores one connection in its own file, and holds the copy written. */
  private async write(connection: Connection): Promise<void> {
    const file = fileOf(connection.id);
    const stored = toStored(CONNECTION_FORMAT, connection);
    await this.folder.write(file, JSON.stringify(stored));
    const stat = this.folder.stat(file);
    if (stat)
      this.files.set(file, {
        stamp: stat.stamp,
        mtime: stat.mtime,
        read: { kind: 'valid', value: connection, migrated: false, raw: stored },
      });
    this.sorted = undefined;
  }

  /** The old single list, read (and its damaged entries reported once). */
  private readLegacy(): { valid: Connection[]; others: unknown[]; damaged: { value: unknown; problem: string }[] } {
    const stored = this.store.get<unknown>(KEY);
    const legacy = { valid: [] as Connection[], others: [] as unknown[], damaged: [] as { value: unknown; problem: string }[] };
    if (stored === undefined) return legacy;
    if (!Array.isArray(stored)) {
      legacy.damaged.push({ value: stored, problem: 'the connections are not a list' });
      return legacy;
    }
    const seen = new Set<string>();
    stored.forEach((entry, index) => {
      const read = readEntry(CONNECTION_FORMAT, entry);
      if (read.kind === 'valid') {
        if (!seen.has(read.value.id)) legacy.valid.push(read.value);
        seen.add(read.value.id);
      } else if (read.kind === 'newer') {
        legacy.others.push(entry);
      } else {
        legacy.damaged.push({ value: entry, problem: read.problem });
        this.report(
          `${index}:${read.problem}`,
          `A stored connection (entry ${index + 1}) is damaged and was skipped: ${read.problem}. It is kept, not deleted.`,
        );
      }
    });
    return legacy;
  }

  /** Moves the old single list into files, once; the list is then removed. Returns how many were set aside. */
  private migrateLegacy(): Promise<number> {
    if (this.store.get<unknown>(KEY) === undefined) return Promise.resolve(0);
    this.migrating ??= this.moveLegacy().finally(() => (this.migrating = undefined));
    return this.migrating;
  }

  private async moveLegacy(): Promise<number> {
    const stored = this.store.get<unknown>(KEY);
    if (stored === undefined) return 0;
    const legacy = this.readLegacy();
    for (const connection of legacy.valid) {
      // A file already there is newer than the list (another window moved it and may have changed it since).
      await this.folder.create(fileOf(connection.id), JSON.stringify(toStored(CONNECTION_FORMAT, connection)));
    }
    for (const other of legacy.others) {
      const id = (other as { id?: unknown }).id;
      await this.folder.create(fileOf(typeof id === 'string' ? id : JSON.stringify(other)), JSON.stringify(other));
    }
    await setAside(this.store, KEY, legacy.damaged);
    for (const d of legacy.damaged) this.logger.warn(`A stored connection was damaged and was set aside: ${d.problem}.`);
    if (this.store.get<unknown>(KEY) === stored) await this.store.update(KEY, undefined);
    this.token = undefined;
    this.sorted = undefined;
    return legacy.damaged.length;
  }

  /** A file changed (this window's writes too): one whose stamp this window knows is left alone. */
  private changedOnDisk(name: string | undefined): void {
    if (name !== undefined) {
      if (name.startsWith('.') || !name.endsWith(RECORD)) return;
      const file = this.folder.stat(name);
      const known = this.files.get(name);
      if (file && known?.stamp === file.stamp) return;
      if (!file && !known) return;
    }
    this.token = undefined;
    this.refresh();
  }

  /** Brings the connections up to what the folder holds (cheap when nothing changed: one look at the folder). */
  private refresh(): void {
    const token = this.folder.token();
    if (token === this.token) return;
    this.token = token;
    let changed = false;
    const seen = new Set<string>();
    for (const file of this.folder.list(RECORD)) {
      if (this.files.get(file.name)?.stamp === file.stamp) {
        seen.add(file.name);
        continue;
      }
      const text = this.folder.read(file.name);
      if (text === undefined) continue;
      seen.add(file.name);
      changed = true;
      const read = parse(text);
      this.files.set(file.name, { stamp: file.stamp, mtime: file.mtime, read });
      if (read.kind === 'damaged')
        this.report(
          `${file.name}:${file.stamp}`,
          `A stored connection (${file.name}) is damaged and is not shown: ${read.problem}. It is kept, not deleted.`,
        );
    }
    for (const name of [...this.files.keys()]) {
      if (seen.has(name)) continue;
      this.files.delete(name);
      changed = true;
    }
    if (changed) {
      this.sorted = undefined;
      this.changed(true);
    }
  }

  private report(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.warn(message);
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

function parse(text: string): ReadEntry<Connection> & { raw: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'damaged', problem: 'not JSON', raw: text };
  }
  return { ...readEntry(CONNECTION_FORMAT, value), raw: value };
}

function fileOf(id: string): string {
  return recordFileName(id, RECORD);
}
