import { randomUUID } from 'node:crypto';
import * as l10n from '@vscode/l10n';
import type { TokenUsage } from '../engines/engine';
import type { KeyValueStore } from '../keyValueStore';
import type { Logger } from '../logger';
import { setAside } from '../storage/setAside';
import { readEntry, type StoredFormat, toStored } from '../storage/storedEntry';
import { Connection, connectionName, ConnectionSchema, ConnectionType, parseConnection } from './connection';

const KEY = 'visen.connections';

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

type Listener = () => void;

/**
 * The connections on this machine, in VS Code's global state. Entries are validated on load: a damaged
 * one is reported once and skipped, and kept as it was in storage, so saving never loses it; at start-up
 * `recover()` moves it to the set-aside key.
 */
export class ConnectionRepository {
  private readonly listeners = new Set<Listener>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly logger: Logger,
  ) {}

  /** Calls `listener` after every change; returns the unsubscribe. */
  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Valid connections, most recently used first. */
  list(): Connection[] {
    return this.load().valid.sort((a, b) => (b.lastUsedAt ?? b.createdAt).localeCompare(a.lastUsedAt ?? a.createdAt));
  }

  get(id: string): Connection | undefined {
    return this.load().valid.find((c) => c.id === id);
  }

  findByTarget(targetId: string): Connection | undefined {
    return this.load().valid.find((c) => c.target.id === targetId);
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
    const { raw } = this.load();
    const index = raw.findIndex((entry) => (entry as { id?: unknown })?.id === connection.id);
    const stored = toStored(CONNECTION_FORMAT, checked.connection);
    if (index >= 0) raw[index] = stored;
    else raw.push(stored);
    await this.save(raw);
  }

  async update(id: string, change: (connection: Connection) => Connection): Promise<Connection | undefined> {
    const current = this.get(id);
    if (!current) return undefined;
    const next = change(structuredClone(current));
    await this.put(next);
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
    const { raw } = this.load();
    await this.save(raw.filter((entry) => (entry as { id?: unknown })?.id !== id));
  }

  /** At start-up: damaged connections move to the set-aside key, the rest are stored in the current format. Returns how many were set aside. */
  async recover(): Promise<number> {
    const stored = this.store.get<unknown>(KEY);
    if (stored !== undefined && !Array.isArray(stored)) {
      await setAside(this.store, KEY, [{ value: stored, problem: 'the connections are not a list' }]);
      this.logger.warn('The stored connections were damaged (not a list) and were set aside; Visen starts with none.');
      await this.save([]);
      return 1;
    }
    const { raw, damaged, outdated } = this.load();
    if (damaged.length === 0 && !outdated) return 0;
    await setAside(this.store, KEY, damaged);
    for (const d of damaged) this.logger.warn(`A stored connection was damaged and was set aside: ${d.problem}.`);
    const gone = new Set(damaged.map((d) => d.value));
    await this.save(
      raw
        .filter((entry) => !gone.has(entry))
        .map((entry) => {
          const read = readEntry(CONNECTION_FORMAT, entry);
          return read.kind === 'valid' ? toStored(CONNECTION_FORMAT, read.value) : entry;
        }),
    );
    return damaged.length;
  }

  private load(): { raw: unknown[]; valid: Connection[]; damaged: { value: unknown; problem: string }[]; outdated: boolean } {
    const stored = this.store.get<unknown>(KEY);
    const raw = Array.isArray(stored) ? [...stored] : [];
    const valid: Connection[] = [];
    const damaged: { value: unknown; problem: string }[] = [];
    const seen = new Set<string>();
    let outdated = false;
    raw.forEach((entry, index) => {
      const read = readEntry(CONNECTION_FORMAT, entry);
      if (read.kind === 'valid' && !seen.has(read.value.id)) {
        seen.add(read.value.id);
        valid.push(read.value);
        outdated ||= read.migrated;
      } else if (read.kind === 'damaged') {
        damaged.push({ value: entry, problem: read.problem });
        const key = `${index}:${read.problem}`;
        if (!this.reported.has(key)) {
          this.reported.add(key);
          this.logger.warn(
            `A stored connection (entry ${index + 1}) is damaged and was skipped: ${read.problem}. It is kept as it is in storage.`,
          );
        }
      }
    });
    return { raw, valid, damaged, outdated };
  }

  private async save(raw: unknown[]): Promise<void> {
    await this.store.update(KEY, raw);
    for (const listener of this.listeners) listener();
  }
}
