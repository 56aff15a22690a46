import * as vscode from 'vscode';
import type { Connection, ConnectionType } from '../services/connections/connection';
import { connectionForTarget, resolveTarget } from '../workflows/databaseEntry';
import type { WorkflowDeps } from '../workflows/deps';

// How the tools and @visen find the connection a person or an agent means: by its name, its page's title,
// its id, or a Notion link (which becomes a connection, as it does in Generate to Notion Page).

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The connection named exactly (name, page title or id), if any. */
export function connectionNamed(deps: WorkflowDeps, name: string): Connection | undefined {
  const all = deps.connections.list();
  return all.find((c) => c.id === name.trim() || same(c.name, name)) ?? all.find((c) => same(c.target.title, name));
}

/** The names of the connections, for a message that says which exist. */
export function connectionList(deps: WorkflowDeps, type?: ConnectionType): string {
  const names = deps.connections.list().filter((c) => !type || c.type === type).map((c) => `"${c.name}"`);
  return names.length ? names.join(', ') : vscode.l10n.t('none yet');
}

/** A connection by name, or the connection of a Notion link (created as Generate creates one). */
export async function connectionFor(deps: WorkflowDeps, target: string): Promise<Connection> {
  const named = connectionNamed(deps, target);
  if (named) return named;
  if (!looksLikeLink(target)) {
    throw new Error(vscode.l10n.t('No connection is named "{0}". Connections: {1}. Or give the link of a Notion page or database Visen can open.', target, connectionList(deps)));
  }
  return connectionForTarget(deps, await resolveTarget(deps, target));
}

/** A Notion URL or a bare page id (32 hex digits, with or without dashes). */
export function looksLikeLink(text: string): boolean {
  const trimmed = text.trim();
  return /^https?:\/\//i.test(trimmed) || /^[0-9a-f]{32}$/i.test(trimmed.replace(/-/g, ''));
}

/**
 * The connection a chat prompt names ("… into Launch notes"): the longest name or page title found in it,
 * and the prompt without the words that name it.
 */
export function connectionNamedIn(deps: WorkflowDeps, prompt: string, type?: ConnectionType): { connection: Connection; prompt: string } | undefined {
  const lower = prompt.toLowerCase();
  let best: { connection: Connection; name: string } | undefined;
  for (const connection of deps.connections.list()) {
    if (type && connection.type !== type) continue;
    for (const name of [connection.name, connection.target.title]) {
      if (name.trim() && lower.includes(name.trim().toLowerCase()) && (!best || name.length > best.name.length)) best = { connection, name: name.trim() };
    }
  }
  if (!best) return undefined;
  const escaped = best.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const phrase = new RegExp(`\\s*\\b(?:into|to|in|for)\\s+(?:the\\s+)?["“']?${escaped}["”']?(?:\\s+(?:page|database))?`, 'i');
  const stripped = prompt.replace(phrase, '').trim();
  return { connection: best.connection, prompt: stripped || prompt.trim() };
}
