import * as vscode from 'vscode';
import type { Connection, ConnectionType } from '../services/connections/connection';
import { connectionForTarget, resolveTarget } from '../workflows/databaseEntry';
import type { WorkflowDeps } from '../workflows/deps';
import { matchTarget } from './targetNames';

// How the tools and @visen find the connection a person or an agent means: by its name, its page's title,
// its id, or a Notion link (which becomes a connection, as it does in Generate to Notion Page). A chat prompt
// names one only by its whole name (targetNames.ts).

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The connection named exactly (name or id), if any; else the one connection whose page has exactly that
 * title (a title two connections share, or of one character, names none).
 */
export function connectionNamed(deps: WorkflowDeps, name: string): Connection | undefined {
  const all = deps.connections.list();
  const named = all.find((c) => c.id === name.trim() || same(c.name, name));
  if (named || name.trim().length < 2) return named;
  const titled = all.filter((c) => same(c.target.title, name));
  return titled.length === 1 ? titled[0] : undefined;
}

/** The names of the connections, for a message that says which exist. */
function connectionList(deps: WorkflowDeps, type?: ConnectionType): string {
  const names = deps.connections
    .list()
    .filter((c) => !type || c.type === type)
    .map((c) => `"${c.name}"`);
  return names.length ? names.join(', ') : vscode.l10n.t('none yet');
}

/** A connection by name, or the connection of a Notion link (created as Generate creates one). */
export async function connectionFor(deps: WorkflowDeps, target: string): Promise<Connection> {
  const named = connectionNamed(deps, target);
  if (named) return named;
  if (!looksLikeLink(target)) {
    throw new Error(
      vscode.l10n.t(
        'No connection is named "{0}". Connections: {1}. Or give the link of a Notion page or database Visen can open.',
        target,
        connectionList(deps),
      ),
    );
  }
  return connectionForTarget(deps, await resolveTarget(deps, target));
}

/** A Notion URL or a bare page id (32 hex digits, with or without dashes). */
export function looksLikeLink(text: string): boolean {
  const trimmed = text.trim();
  return /^https?:\/\//i.test(trimmed) || /^[0-9a-f]{32}$/i.test(trimmed.replace(/-/g, ''));
}

/**
 * The connection a chat prompt names (targetNames.ts: a whole name, exactly, where the prompt says where to
 * write; never a page title), and the prompt without the words that name it. Undefined when it names none,
 * or more than one: @visen then asks, offering the connections.
 */
export function connectionNamedIn(
  deps: WorkflowDeps,
  prompt: string,
  type?: ConnectionType,
): { connection: Connection; prompt: string } | undefined {
  const candidates = deps.connections.list().filter((c) => !type || c.type === type);
  const match = matchTarget(prompt, candidates);
  if (match.ids.length !== 1) return undefined;
  const connection = candidates.find((c) => c.id === match.ids[0])!;
  return { connection, prompt: match.prompt };
}
