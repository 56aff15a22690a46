import { randomUUID } from 'node:crypto';
import * as l10n from '@vscode/l10n';
import type { TokenUsage } from '../engines/engine';
import type { KeyValueStore } from '../keyValueStore';
import type { Logger } from '../logger';
import { Connection, ConnectionType, parseConnection } from './connection';

const KEY = 'visen.connections';

export interface NewConnection {
  readonly name: string;
  readonly type: ConnectionType;
  readonly target: Connection['target'];
}

type Listener = () => void;

/**
 * The connections on this machine, in VS Code's global state. Entries are validated on load: a damaged
 * one is reported once and skipped, and kept as it was in storage, so saving never loses it.
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
      name: init.name.trim() || init.target.title || 'Untitled',
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
    if (index >= 0) raw[index] = checked.connection;
    else raw.push(checked.connection);
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

  private load(): { raw: unknown[]; valid: Connection[] } {
    const stored = this.store.get<unknown>(KEY);
    const raw = Array.isArray(stored) ? stored : [];
    const valid: Connection[] = [];
    const seen = new Set<string>();
    raw.forEach((entry, index) => {
      const parsed = parseConnection(entry);
      if (parsed.ok && !seen.has(parsed.connection.id)) {
        seen.add(parsed.connection.id);
        valid.push(parsed.connection);
      } else if (!parsed.ok) {
        const key = `${index}:${parsed.problem}`;
        if (!this.reported.has(key)) {
          this.reported.add(key);
          this.logger.warn(`A stored connection (entry ${index + 1}) is damaged and was skipped: ${parsed.problem}. It is kept as it is in storage.`);
        }
      }
    });
    return { raw, valid };
  }

  private async save(raw: unknown[]): Promise<void> {
    await this.store.update(KEY, raw);
    for (const listener of this.listeners) listener();
  }
}
