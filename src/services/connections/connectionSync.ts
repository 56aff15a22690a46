import { randomUUID } from 'node:crypto';
import type { Client } from '@notionhq/client';
import type { Logger } from '../logger';
import { ConnectionsDatabase, ConnectionsDatabaseInfo, ConnectionRow } from '../notion/connectionsDatabase';
import { type Connection, connectionName } from './connection';
import type { ConnectionRepository } from './connectionRepository';

export interface SyncDeps {
  readonly client: () => Promise<Client>;
  /** The connections database URL from the settings; empty = not set, everything stays local. */
  readonly databaseUrl: () => string;
  readonly connections: ConnectionRepository;
  readonly logger: Logger;
}

export interface PullResult {
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
}

/** Mirrors connections to the Notion connections database and pulls the rows made on other machines. */
export class ConnectionSync {
  private cached: { url: string; info: ConnectionsDatabaseInfo } | undefined;

  constructor(private readonly deps: SyncDeps) {}

  get enabled(): boolean {
    return this.deps.databaseUrl() !== '';
  }

  /** Forgets what it knows of the database (after the setting changed). */
  invalidate(): void {
    this.cached = undefined;
  }

  /** Upserts the connection's row and remembers the row id. Does nothing without a database. */
  async push(connection: Connection, engine?: string, model?: string): Promise<void> {
    const target = await this.database();
    if (!target) return;
    const rowId = await target.db.upsert(target.info, connection, engine ?? connection.engine, model ?? connection.model);
    if (rowId !== connection.rowId) await this.deps.connections.update(connection.id, (c) => ({ ...c, rowId }));
  }

  /** Moves the connection's row to Notion's trash. */
  async remove(connection: Connection): Promise<void> {
    const target = await this.database();
    if (!target) return;
    const rowId = connection.rowId;
    if (rowId) await target.db.trash(rowId);
  }

  /**
   * Merges the database into the local connections: rows made elsewhere become connections, rows newer
   * than the local copy update it, connections whose row was trashed elsewhere go, and local ones not yet
   * mirrored are pushed.
   */
  async pull(): Promise<PullResult> {
    const target = await this.database();
    if (!target) return { added: 0, updated: 0, removed: 0 };
    const rows = await target.db.rows(target.info);
    const repo = this.deps.connections;
    let added = 0;
    let updated = 0;
    let removed = 0;
    const seenRows = new Set<string>();
    for (const row of rows) {
      seenRows.add(row.rowId);
      const local = (row.visenId && repo.get(row.visenId)) || repo.list().find((c) => c.rowId === row.rowId);
      if (local) {
        if (isNewer(row, local)) {
          await repo.put(merge(local, row));
          updated++;
        } else if (local.rowId !== row.rowId) {
          await repo.put({ ...local, rowId: row.rowId });
        }
        continue;
      }
      if (!row.url || !row.targetId) {
        this.deps.logger.warn(`Connections database: row "${row.name}" has no Notion URL Visen can use; skipped.`);
        continue;
      }
      const fresh: Connection = {
        id: row.visenId ?? randomUUID(),
        name: connectionName(row.name || 'Untitled'),
        type: row.type,
        target: { id: row.targetId, url: row.url, title: row.name },
        createdAt: new Date().toISOString(),
        usage: { prompts: 0, inputTokens: 0, outputTokens: 0 },
      };
      const full = merge(fresh, row);
      await repo.put(full);
      if (!row.visenId) await target.db.setVisenId(row.rowId, full.id);
      added++;
    }
    for (const local of repo.list()) {
      if (local.rowId && !seenRows.has(local.rowId)) {
        await repo.delete(local.id);
        removed++;
      } else if (!local.rowId) {
        await this.push(local);
      }
    }
    return { added, updated, removed };
  }

  private async database(): Promise<{ db: ConnectionsDatabase; info: ConnectionsDatabaseInfo } | undefined> {
    const url = this.deps.databaseUrl();
    if (!url) return undefined;
    const db = new ConnectionsDatabase(await this.deps.client());
    if (this.cached?.url !== url) this.cached = { url, info: await db.inspect(url) };
    return { db, info: this.cached.info };
  }
}

function isNewer(row: ConnectionRow, local: Connection): boolean {
  if (!row.lastGenerated) return false;
  return !local.lastUsedAt || Date.parse(row.lastGenerated) > Date.parse(local.lastUsedAt);
}

function merge(local: Connection, row: ConnectionRow): Connection {
  const tokens = Math.max(row.tokens, local.usage.inputTokens + local.usage.outputTokens);
  return {
    ...local,
    name: row.name ? connectionName(row.name) : local.name,
    rowId: row.rowId,
    lastPrompt: row.lastPrompt ?? local.lastPrompt,
    lastUsedAt: row.lastGenerated ? new Date(row.lastGenerated).toISOString() : local.lastUsedAt,
    engine: row.engine ?? local.engine,
    model: row.model ?? local.model,
    usage: {
      prompts: Math.max(row.prompts, local.usage.prompts),
      // The row keeps one total; split it as the local counts are split.
      inputTokens: Math.max(local.usage.inputTokens, tokens - local.usage.outputTokens),
      outputTokens: local.usage.outputTokens,
    },
  };
}
