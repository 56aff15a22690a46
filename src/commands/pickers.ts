import * as vscode from 'vscode';
import type { Connection } from '../services/connections/connection';
import { describeUse } from '../workflows/format';
import type { CommandDeps } from './deps';

/** A connection, a link typed or pasted into the picker, or one of the ways to name a new target. */
export type ConnectionChoice =
  { kind: 'connection'; connection: Connection } | { kind: 'typed'; value: string } | { kind: 'paste' } | { kind: 'new' };

interface ChoiceItem extends vscode.QuickPickItem {
  readonly choice?: ConnectionChoice;
}

/** Something a command received from a tree item, a webview or another command that names a connection. */
export function connectionFromArg(deps: CommandDeps, arg: unknown): Connection | undefined {
  if (!arg || typeof arg !== 'object') return typeof arg === 'string' ? deps.connections.get(arg) : undefined;
  const candidate = arg as { connection?: { id?: unknown }; connectionId?: unknown };
  const id = typeof candidate.connectionId === 'string' ? candidate.connectionId : candidate.connection?.id;
  return typeof id === 'string' ? deps.connections.get(id) : undefined;
}

/** Connections by last use, then the ways to name a new target. */
export async function pickConnection(
  deps: CommandDeps,
  options: { title: string; placeHolder: string; offerPaste?: boolean; offerNew?: boolean },
): Promise<ConnectionChoice | undefined> {
  const connections = deps.connections.list();
  const items: ChoiceItem[] = connections.map((connection) => ({
    label: `$(${connection.type === 'database' ? 'database' : 'file'}) ${connection.name}`,
    description: connection.name !== connection.target.title ? connection.target.title : undefined,
    detail: describeUse(connection),
    choice: { kind: 'connection', connection },
  }));
  const extra: ChoiceItem[] = [];
  if (options.offerPaste)
    extra.push({ label: `$(link) ${vscode.l10n.t('Paste a Notion page URL…')}`, alwaysShow: true, choice: { kind: 'paste' } });
  if (options.offerNew) extra.push({ label: `$(add) ${vscode.l10n.t('New Connection…')}`, alwaysShow: true, choice: { kind: 'new' } });
  if (items.length === 0 && extra.length === 1) return extra[0].choice;
  if (items.length === 0 && extra.length === 0) {
    const create = vscode.l10n.t('New Connection');
    const choice = await deps.ui.info(vscode.l10n.t('There are no connections yet.'), create);
    return choice === create ? { kind: 'new' } : undefined;
  }
  const all =
    items.length > 0 && extra.length > 0
      ? [...items, { label: '', kind: vscode.QuickPickItemKind.Separator }, ...extra]
      : [...items, ...extra];
  const pickOptions = { title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true };
  const paste = extra.find((item) => item.choice?.kind === 'paste');
  if (!paste) return (await deps.ui.pick(all, pickOptions))?.choice;
  // A link typed or pasted into the picker is used as it is: it is not asked for a second time.
  const picked = await deps.ui.pickOrType(all, {
    ...pickOptions,
    typedItem: paste,
    typedLabel: `$(link) ${vscode.l10n.t('Use the link typed above')}`,
  });
  return picked?.typed !== undefined ? { kind: 'typed', value: picked.typed } : picked?.picked.choice;
}
